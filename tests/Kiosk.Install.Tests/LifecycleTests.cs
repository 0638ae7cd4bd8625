using System.Runtime.Versioning;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// install.ps1 in a -Root of its own per test: -WhatIf, uninstall with and without -PurgeData, and the errors a
/// technician can run into. The packages are slim (install.ps1 never runs what it installs); StagedInstallTests
/// runs a full one.
/// </summary>
[Parallelizable(ParallelScope.All)]
[Platform("Linux", Reason = "the Linux (systemd) layout; install.ps1 on Windows is not tested here")]
[SupportedOSPlatform("linux")]
public sealed class LifecycleTests
{
    private static async Task<StagedKiosk> Installed(TempFolder root, string version = "1.0.0")
    {
        var kiosk = new StagedKiosk(root.Path);
        var install = await kiosk.InstallAsync(TestPackages.Slim(version));
        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        Assert.That(kiosk.CurrentVersion, Is.EqualTo(version));
        return kiosk;
    }

    [Test]
    public async Task WhatIf_prints_what_would_happen_and_leaves_the_root_empty()
    {
        using var root = new TempFolder("kiosk-root");
        var kiosk = new StagedKiosk(root.Path);

        var whatIf = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"), "-WhatIf");

        Assert.That(whatIf.ExitCode, Is.Zero, whatIf.ToString());
        Assert.That(Directory.EnumerateFileSystemEntries(root.Path), Is.Empty, whatIf.ToString());
        Assert.That(whatIf.StandardOutput, Does.Contain($"What if: Performing the operation \"Copy package {TestPackages.Slim("1.0.0")}\" on target \"{Path.Combine(kiosk.Releases, "1.0.0")}\""));
        Assert.That(whatIf.StandardOutput, Does.Contain($"on target \"{kiosk.UnitFile}\""));
        Assert.That(whatIf.LastLine, Is.EqualTo("install.ps1: -WhatIf: would install kiosk 1.0.0; nothing was changed"));
    }

    [Test]
    public async Task Upgrade_without_an_installed_kiosk_fails_and_says_to_install()
    {
        using var root = new TempFolder("kiosk-root");
        var kiosk = new StagedKiosk(root.Path);

        var upgrade = await kiosk.UpgradeAsync(TestPackages.Slim("1.1.0"));

        Assert.That(upgrade.ExitCode, Is.EqualTo(1), upgrade.ToString());
        Assert.That(upgrade.StandardError, Does.Contain($"no kiosk is installed in {kiosk.ProgramFolder}").And.Contain("-Install"));
        Assert.That(Directory.EnumerateFileSystemEntries(root.Path), Is.Empty);
    }

    [Test]
    public async Task Uninstall_removes_the_program_unit_and_wrapper_but_keeps_configuration_data_and_logs()
    {
        using var root = new TempFolder("kiosk-root");
        var kiosk = await Installed(root);
        var outbox = Path.Combine(kiosk.DataFolder, "outbox.db");
        File.WriteAllText(outbox, "records");

        var uninstall = await kiosk.UninstallAsync();

        Assert.That(uninstall.ExitCode, Is.Zero, uninstall.ToString());
        Assert.That(Path.Exists(kiosk.ProgramFolder), Is.False);
        Assert.That(Path.Exists(kiosk.UnitFile), Is.False);
        Assert.That(Path.Exists(kiosk.Kioskctl), Is.False);
        Assert.That(File.ReadAllText(outbox), Is.EqualTo("records"));
        Assert.That(File.Exists(kiosk.ConfigFile), Is.True);
        Assert.That(Directory.Exists(kiosk.PkiFolder), Is.True);
        Assert.That(Directory.Exists(kiosk.LogFolder), Is.True);
        Assert.That(uninstall.Lines, Has.Member("skipped under -Root: systemctl disable --now kiosk-agent"));
        Assert.That(uninstall.LastLine, Does.StartWith("install.ps1: uninstalled kiosk 1.0.0; kept ").And.Contain("-PurgeData"));
    }

    [Test]
    public async Task Uninstall_with_PurgeData_also_removes_configuration_data_logs_and_the_user()
    {
        using var root = new TempFolder("kiosk-root");
        var kiosk = await Installed(root);
        File.WriteAllText(Path.Combine(kiosk.DataFolder, "outbox.db"), "records");

        var uninstall = await kiosk.UninstallAsync(purgeData: true);

        Assert.That(uninstall.ExitCode, Is.Zero, uninstall.ToString());
        foreach (var path in new[] { kiosk.ProgramFolder, kiosk.UnitFile, kiosk.Kioskctl, kiosk.ConfigFolder, kiosk.DataFolder, kiosk.LogFolder })
        {
            Assert.That(Path.Exists(path), Is.False, path);
        }

        Assert.That(uninstall.Lines, Has.Member("skipped under -Root: userdel kiosk"));
    }

    [Test]
    public async Task A_missing_package_fails_naming_the_folder_and_the_fix()
    {
        using var root = new TempFolder("kiosk-root");
        var missing = Path.Combine(root.Path, "no-such-package");

        var install = await new StagedKiosk(root.Path).InstallAsync(missing);

        Assert.That(install.ExitCode, Is.EqualTo(1), install.ToString());
        Assert.That(install.StandardError, Does.Contain($"package folder '{missing}' does not exist"));
        Assert.That(install.StandardError, Does.Contain("./kiosk.sh publish"));
        Assert.That(Directory.EnumerateFileSystemEntries(root.Path), Is.Empty);
    }

    [TestCase("{\"version\":\"1.0\"}", "has no valid version")]
    [TestCase("{\"version\":", "is not valid JSON")]
    public async Task A_package_json_without_a_valid_version_fails_naming_the_file_and_the_fix(string manifest, string message)
    {
        using var root = new TempFolder("kiosk-root");
        var package = InstallScript.BuildPackage(Path.Combine(root.Path, "package"), "1.0.0", PackageContent.Slim);
        File.WriteAllText(Path.Combine(package, "package.json"), manifest);
        var staged = Path.Combine(root.Path, "staged");

        var install = await new StagedKiosk(staged).InstallAsync(package);

        Assert.That(install.ExitCode, Is.EqualTo(1), install.ToString());
        Assert.That(install.StandardError, Does.Contain($"'{Path.Combine(package, "package.json")}' {message}").And.Contain("./kiosk.sh publish"));
        Assert.That(Path.Exists(staged), Is.False);
    }

    [Test]
    public async Task A_package_without_the_agent_fails_naming_what_is_missing()
    {
        using var root = new TempFolder("kiosk-root");
        var package = InstallScript.BuildPackage(Path.Combine(root.Path, "package"), "1.0.0", PackageContent.Slim);
        File.Delete(Path.Combine(package, "agent", "kiosk-agent.dll"));

        var install = await new StagedKiosk(Path.Combine(root.Path, "staged")).InstallAsync(package);

        Assert.That(install.ExitCode, Is.EqualTo(1), install.ToString());
        Assert.That(install.StandardError, Does.Contain($"package '{package}' is not a kiosk package: agent/kiosk-agent.dll missing").And.Contain("./kiosk.sh publish"));
    }

    [Test]
    public async Task A_unit_systemd_analyze_warns_about_fails_the_install()
    {
        // systemd-analyze verify exits 0 on unknown keys and bad values and only prints them: a stand-in that does
        // exactly that must still fail the install.
        using var root = new TempFolder("kiosk-root");
        var bin = Directory.CreateDirectory(Path.Combine(root.Path, "bin")).FullName;
        var fake = Path.Combine(bin, "systemd-analyze");
        File.WriteAllText(fake, "#!/bin/sh\necho \"$2:12: Unknown key 'Hardening' in section [Service], ignoring.\" >&2\nexit 0\n");
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        var kiosk = new StagedKiosk(Path.Combine(root.Path, "staged"));
        var path = bin + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

        var install = await InstallScript.RunAsync(["-Install", "-Package", TestPackages.Slim("1.0.0"), "-Root", kiosk.Root], new Dictionary<string, string?> { ["PATH"] = path });

        Assert.That(install.ExitCode, Is.EqualTo(1), install.ToString());
        Assert.That(install.StandardError, Does.Contain($"systemd-analyze verify {kiosk.UnitFile} failed").And.Contain("Unknown key 'Hardening'"));
        Assert.That(install.StandardOutput, Does.Not.Contain("systemctl enable"));
        Assert.That(kiosk.CurrentVersion, Is.Null, "current is not switched to a release whose unit failed verification");
    }

    [Test]
    public async Task Without_an_action_it_prints_usage_and_exits_with_2()
    {
        var usage = await InstallScript.RunAsync();

        Assert.That(usage.ExitCode, Is.EqualTo(2), usage.ToString());
        Assert.That(usage.StandardOutput, Does.Contain("-Install").And.Contain("-Upgrade").And.Contain("-Rollback").And.Contain("-Uninstall"));
    }
}
