using System.Runtime.Versioning;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// A package is installed only when every file in it is the one ./kiosk.sh publish listed in its SHA256SUMS: a file
/// changed, added (a DLL planted beside the agent would run as the kiosk user) or missing, or no SHA256SUMS at all,
/// refuses -Install and -Upgrade before anything is touched.
/// </summary>
[Parallelizable(ParallelScope.All)]
[Platform("Linux", Reason = "the Linux (systemd) layout; install.ps1 on Windows is not tested here")]
[SupportedOSPlatform("linux")]
public sealed class PackageSumsTests
{
    private static string SlimPackage(TempFolder folder, string version) =>
        InstallScript.BuildPackage(Path.Combine(folder.Path, "package-" + version), version, PackageContent.Slim);

    private static void ExpectRefused(ProcessResult result, string package, string problem)
    {
        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.StandardError, Does.Contain($"package '{package}' failed its SHA256SUMS check; nothing was installed"), result.ToString());
        Assert.That(result.StandardError, Does.Contain(problem), result.ToString());
    }

    [Test]
    public async Task The_sums_publish_writes_list_every_file_and_check_with_sha256sum()
    {
        using var folder = new TempFolder("kiosk-sums");
        var package = SlimPackage(folder, "1.0.0");

        var lines = File.ReadAllLines(Path.Combine(package, "SHA256SUMS"));
        var check = await InstallScript.RunProcessAsync("sha256sum", ["-c", "--strict", "SHA256SUMS"], workingDirectory: package);

        Assert.That(check.ExitCode, Is.Zero, check.ToString());
        Assert.That(lines.Select(line => line[66..]), Is.EqualTo(new[]
        {
            "agent/kiosk-agent.deps.json", "agent/kiosk-agent.dll", "agent/kiosk-agent.runtimeconfig.json", "install.ps1",
            "kioskctl/kioskctl.deps.json", "kioskctl/kioskctl.dll", "kioskctl/kioskctl.runtimeconfig.json", "package.json",
        }));
    }

    [Test]
    public async Task An_altered_file_refuses_the_upgrade_and_changes_nothing()
    {
        using var folder = new TempFolder("kiosk-sums");
        var kiosk = new StagedKiosk(folder.File("root"));
        var install = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"));
        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        var package = SlimPackage(folder, "1.1.0");
        var dll = Path.Combine(package, "kioskctl", "kioskctl.dll");
        var bytes = File.ReadAllBytes(dll);
        bytes[bytes.Length / 2] ^= 0x5a;
        File.WriteAllBytes(dll, bytes);
        var before = TreeSnapshot.Take(kiosk.Root);

        var upgrade = await kiosk.UpgradeAsync(package);

        ExpectRefused(upgrade, package, "kioskctl/kioskctl.dll does not match its SHA-256 in SHA256SUMS");
        Assert.That(TreeSnapshot.Take(kiosk.Root), Is.EqualTo(before), upgrade.ToString());
        Assert.That(kiosk.CurrentVersion, Is.EqualTo("1.0.0"));
    }

    [Test]
    public async Task A_file_planted_in_the_package_refuses_the_install_and_stages_nothing()
    {
        using var folder = new TempFolder("kiosk-sums");
        var package = SlimPackage(folder, "1.0.0");
        File.WriteAllBytes(Path.Combine(package, "agent", "Kiosk.Devices.Helper.dll"), [0x4d, 0x5a, 0x90, 0x00]);
        var kiosk = new StagedKiosk(folder.File("root"));

        var install = await kiosk.InstallAsync(package);

        ExpectRefused(install, package, "agent/Kiosk.Devices.Helper.dll is not in SHA256SUMS");
        Assert.That(Path.Exists(kiosk.Root), Is.False, "nothing is staged");
    }

    [Test]
    public async Task A_file_missing_from_the_package_refuses_the_install()
    {
        using var folder = new TempFolder("kiosk-sums");
        var package = SlimPackage(folder, "1.0.0");
        File.Delete(Path.Combine(package, "kioskctl", "kioskctl.deps.json"));
        var kiosk = new StagedKiosk(folder.File("root"));

        var install = await kiosk.InstallAsync(package);

        ExpectRefused(install, package, "kioskctl/kioskctl.deps.json is listed in SHA256SUMS but missing");
        Assert.That(Path.Exists(kiosk.Root), Is.False, "nothing is staged");
    }

    [Test]
    public async Task A_symbolic_link_in_the_package_refuses_the_install()
    {
        using var folder = new TempFolder("kiosk-sums");
        var package = SlimPackage(folder, "1.0.0");
        File.CreateSymbolicLink(Path.Combine(package, "agent", "libpam.so"), "/usr/lib/x86_64-linux-gnu/libpam.so.0");
        var kiosk = new StagedKiosk(folder.File("root"));

        var install = await kiosk.InstallAsync(package);

        ExpectRefused(install, package, "agent/libpam.so is a symbolic link");
        Assert.That(Path.Exists(kiosk.Root), Is.False, "nothing is staged");
    }

    [Test]
    public async Task A_package_without_SHA256SUMS_is_refused_with_the_fix()
    {
        using var folder = new TempFolder("kiosk-sums");
        var package = SlimPackage(folder, "1.0.0");
        File.Delete(Path.Combine(package, "SHA256SUMS"));
        var kiosk = new StagedKiosk(folder.File("root"));

        var install = await kiosk.InstallAsync(package);

        Assert.That(install.ExitCode, Is.EqualTo(1), install.ToString());
        Assert.That(install.StandardError, Does.Contain($"package '{package}' has no SHA256SUMS").And.Contain("./kiosk.sh publish"), install.ToString());
        Assert.That(Path.Exists(kiosk.Root), Is.False, "nothing is staged");
    }
}
