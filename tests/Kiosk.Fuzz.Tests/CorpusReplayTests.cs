using Kiosk.Fuzz.Harness;
using Kiosk.TestSupport;

namespace Kiosk.Fuzz.Tests;

/// <summary>
/// Every committed input under fuzz/corpus (seeds) and fuzz/regressions (crashes afl-fuzz found, since fixed) runs
/// through its target in-process, one test each: a parser that breaks its contract again fails here, in CI, with the
/// input's path and the stack trace.
/// </summary>
[TestFixture]
public sealed class CorpusReplayTests
{
    private static readonly string[] Folders = ["corpus", "regressions"];

    public static IEnumerable<TestCaseData> Inputs() =>
        from folder in Folders
        let root = Path.Combine(RepositoryPaths.Root, "fuzz", folder)
        where Directory.Exists(root)
        from file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        let relative = Path.GetRelativePath(Path.Combine(RepositoryPaths.Root, "fuzz"), file).Replace('\\', '/')
        select new TestCaseData(relative).SetName($"Replays {relative}");

    [TestCaseSource(nameof(Inputs))]
    public void Replays(string relativePath)
    {
        var target = relativePath.Split('/')[1];
        var fuzzTarget = FuzzTargets.Find(target);
        Assert.That(fuzzTarget, Is.Not.Null, $"fuzz/{relativePath} is in a folder named after no target; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");

        Assert.DoesNotThrow(() => fuzzTarget!.Run(File.ReadAllBytes(Path.Combine(RepositoryPaths.Root, "fuzz", relativePath))));
    }

    [Test]
    public void Every_target_has_committed_seeds()
    {
        var empty = FuzzTargets.All
            .Where(t => !Directory.Exists(Path.Combine(RepositoryPaths.Root, "fuzz", "corpus", t.Name)) || !Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "fuzz", "corpus", t.Name)).Any())
            .Select(t => t.Name);

        Assert.That(empty, Is.Empty, "afl-fuzz refuses to start without seeds; write them with: dotnet Kiosk.Fuzz.dll seeds fuzz/corpus");
    }

    [Test]
    public void The_committed_seeds_are_what_the_seed_generator_writes()
    {
        foreach (var (target, name, bytes) in Seeds.SeedCorpus.All())
        {
            var path = Path.Combine(RepositoryPaths.Root, "fuzz", "corpus", target, name);
            Assert.That(File.Exists(path), Is.True, $"fuzz/corpus/{target}/{name} is not committed");
            Assert.That(File.ReadAllBytes(path), Is.EqualTo(bytes), $"fuzz/corpus/{target}/{name} differs from what the generator writes now");
        }
    }

    [Test]
    public void At_least_eight_targets_are_fuzzed()
    {
        Assert.That(FuzzTargets.All.Select(t => t.Name).Distinct().Count(), Is.GreaterThanOrEqualTo(8));
    }
}
