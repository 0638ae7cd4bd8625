using NUnit.Framework;

namespace Kiosk.TestSupport;

/// <summary>Where the repository and its test-data cache are, found from the test assembly's folder.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kiosk.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Kiosk.sln not found above " + AppContext.BaseDirectory);
    });

    public static string Root => RootLazy.Value;

    /// <summary>Photographs, pages and audio made by tests/data/fetch-test-data.sh (ignored by git).</summary>
    public static string TestData => Environment.GetEnvironmentVariable("KIOSK_TEST_DATA") is { Length: > 0 } d ? d : Path.Combine(Root, ".cache", "test-data");

    public static string TestDataFile(string name)
    {
        var path = Path.Combine(TestData, name);
        if (!File.Exists(path))
        {
            Assert.Fail($"test data '{name}' is missing from {TestData}; run tests/data/fetch-test-data.sh (./kiosk.sh test does)");
        }

        return path;
    }
}
