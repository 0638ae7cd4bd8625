using System.Collections.Concurrent;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>Packages shared by every test of this assembly, each built once on first use and deleted at the end.</summary>
[SetUpFixture]
public sealed class TestPackages
{
    private static readonly Lazy<TempFolder> Folder = new(() => new TempFolder("kiosk-packages"));
    private static readonly ConcurrentDictionary<string, Lazy<string>> Built = new(StringComparer.Ordinal);

    /// <summary>A runnable package (the whole build output) of <paramref name="version"/>.</summary>
    public static string Full(string version) => Get(version, PackageContent.Full);

    /// <summary>A package with only what install.ps1 checks, for tests that never run the program.</summary>
    public static string Slim(string version) => Get(version, PackageContent.Slim);

    /// <summary>A slim package as releases before package.json's <c>features</c> were built: its agent reads the outbox
    /// key from the key file only.</summary>
    public static string LegacySlim(string version) => Get(version, PackageContent.Slim, []);

    private static string Get(string version, PackageContent content, IReadOnlyList<string>? features = null) =>
        Built.GetOrAdd($"{content}-{version}{(features is { Count: 0 } ? "-legacy" : "")}", name => new Lazy<string>(() => InstallScript.BuildPackage(Folder.Value.File(name), version, content, features))).Value;

    [OneTimeTearDown]
    public void DeletePackages()
    {
        if (Folder.IsValueCreated)
        {
            Folder.Value.Dispose();
        }
    }
}
