using System.Runtime.Versioning;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// One kiosk taken through install 1.0.0, upgrade to 1.1.0, rollback, rollback again and upgrade to 1.2.0. The set-up
/// runs the steps and records what each left behind; each test checks one step.
/// </summary>
[Parallelizable(ParallelScope.All)]
[Platform("Linux", Reason = "the Linux (systemd) layout; install.ps1 on Windows is not tested here")]
[SupportedOSPlatform("linux")]
public sealed class UpgradeRollbackTests
{
    private TempFolder _root = null!;
    private StagedKiosk _kiosk = null!;
    private readonly Dictionary<string, Step> _steps = new(StringComparer.Ordinal);

    /// <summary>What one run left: its result, the links, the releases kept and the current release's package.json.</summary>
    private sealed record Step(ProcessResult Result, string? Current, string? Previous, string[] Releases, string CurrentManifest)
    {
        public override string ToString() => $"current {Current}, previous {Previous}, releases [{string.Join(", ", Releases)}]\n{Result}";
    }

    [OneTimeSetUp]
    public async Task RunTheSteps()
    {
        _root = new TempFolder("kiosk-upgrades");
        _kiosk = new StagedKiosk(_root.Path);
        await Record("install 1.0.0", _kiosk.InstallAsync(TestPackages.Slim("1.0.0")));
        await Record("upgrade 1.1.0", _kiosk.UpgradeAsync(TestPackages.Slim("1.1.0")));
        await Record("rollback", _kiosk.RollbackAsync());
        await Record("rollback again", _kiosk.RollbackAsync());
        await Record("upgrade 1.2.0", _kiosk.UpgradeAsync(TestPackages.Slim("1.2.0")));
    }

    private async Task Record(string name, Task<ProcessResult> run)
    {
        var result = await run;
        var manifest = Path.Combine(_kiosk.Current, "package.json");
        _steps[name] = new Step(
            result,
            _kiosk.CurrentVersion,
            _kiosk.PreviousVersion,
            Directory.Exists(_kiosk.Releases) ? Directory.GetFileSystemEntries(_kiosk.Releases).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray() : [],
            File.Exists(manifest) ? File.ReadAllText(manifest) : string.Empty);
    }

    [OneTimeTearDown]
    public void Delete() => _root.Dispose();

    private Step Succeeded(string name)
    {
        var step = _steps[name];
        Assert.That(step.Result.ExitCode, Is.Zero, $"{name}: {step}");
        return step;
    }

    [Test]
    public void Upgrade_makes_the_new_release_current_and_keeps_the_old_one_as_previous()
    {
        var step = Succeeded("upgrade 1.1.0");
        Assert.That(step.Current, Is.EqualTo("1.1.0"), step.ToString());
        Assert.That(step.Previous, Is.EqualTo("1.0.0"), step.ToString());
        Assert.That(step.Releases, Is.EqualTo(new[] { "1.0.0", "1.1.0" }), step.ToString());
        Assert.That(step.CurrentManifest, Does.Contain("\"1.1.0\""));
        Assert.That(step.Result.Lines, Has.Member("skipped under -Root: systemctl restart kiosk-agent"));
        Assert.That(step.Result.LastLine, Does.StartWith("install.ps1: upgraded kiosk 1.0.0 -> 1.1.0; previous: 1.0.0"));
    }

    [Test]
    public void Rollback_returns_current_to_the_previous_release()
    {
        var step = Succeeded("rollback");
        Assert.That(step.Current, Is.EqualTo("1.0.0"), step.ToString());
        Assert.That(step.Previous, Is.EqualTo("1.1.0"), step.ToString());
        Assert.That(step.CurrentManifest, Does.Contain("\"1.0.0\""));
        Assert.That(step.Result.Lines, Has.Member("skipped under -Root: systemctl restart kiosk-agent"));
        Assert.That(step.Result.LastLine, Does.StartWith("install.ps1: rolled back kiosk 1.1.0 -> 1.0.0"));
    }

    [Test]
    public void A_second_rollback_goes_forward_again()
    {
        var step = Succeeded("rollback again");
        Assert.That(step.Current, Is.EqualTo("1.1.0"), step.ToString());
        Assert.That(step.Previous, Is.EqualTo("1.0.0"), step.ToString());
    }

    [Test]
    public void Upgrades_keep_only_the_current_and_the_previous_release()
    {
        var step = Succeeded("upgrade 1.2.0");
        Assert.That(step.Current, Is.EqualTo("1.2.0"), step.ToString());
        Assert.That(step.Previous, Is.EqualTo("1.1.0"), step.ToString());
        Assert.That(step.Releases, Is.EqualTo(new[] { "1.1.0", "1.2.0" }), step.ToString());
        Assert.That(step.Result.Lines, Has.Member($"removed: {Path.Combine(_kiosk.Releases, "1.0.0")}"));
    }
}
