using System.Runtime.Versioning;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// install.ps1 -Install (the screen is installed by default) under a temporary -Root: the screen's unit (cage + chromium as kiosk-screen, bound to the
/// agent), its launcher that waits for the agent's screen.url, its PAM service, systemd-analyze's verdict, and -Uninstall
/// removing them. With -NoScreen none of it is installed.
/// </summary>
[Parallelizable(ParallelScope.All)]
[Platform("Linux", Reason = "the Linux (systemd) layout; install.ps1 on Windows is not tested here")]
[SupportedOSPlatform("linux")]
public sealed class ScreenInstallTests
{
    private TempFolder _root = null!;
    private StagedKiosk _kiosk = null!;
    private ProcessResult _install = null!;

    private string ScreenUnit => Path.Combine(_kiosk.Root, "etc", "systemd", "system", "kiosk-screen.service");
    private string Launcher => Path.Combine(_kiosk.Root, "usr", "local", "lib", "kiosk", "kiosk-screen");
    private string Pam => Path.Combine(_kiosk.Root, "etc", "pam.d", "kiosk-screen");

    [OneTimeSetUp]
    public async Task Install()
    {
        _root = new TempFolder("kiosk-screen");
        _kiosk = new StagedKiosk(_root.Path);
        _install = await _kiosk.InstallAsync(TestPackages.Slim("1.0.0"));
        Assert.That(_install.ExitCode, Is.Zero, _install.ToString());
    }

    [OneTimeTearDown]
    public void Delete() => _root.Dispose();

    private static List<string> Lines(string text) => [.. text.Split('\n').Select(line => line.TrimEnd('\r'))];

    [Test]
    public void The_screen_runs_the_launcher_on_tty1_as_its_own_user_bound_to_the_agent()
    {
        var unit = Lines(File.ReadAllText(ScreenUnit));
        Assert.That(unit, Is.SupersetOf(new[]
        {
            "[Unit]",
            "BindsTo=kiosk-agent.service",
            "After=kiosk-agent.service systemd-user-sessions.service",
            "Conflicts=getty@tty1.service",
            "[Service]",
            $"ExecStart={Launcher}",
            "User=kiosk-screen",
            "Group=kiosk-screen",
            "PAMName=kiosk-screen",
            "TTYPath=/dev/tty1",
            "Restart=always",
            "NoNewPrivileges=yes",
            "[Install]",
            "WantedBy=kiosk-agent.service",
        }));
        Assert.That(unit, Has.None.EqualTo("User=kiosk"), "never the agent's user");
        Assert.That(File.GetUnixFileMode(ScreenUnit), Is.EqualTo((UnixFileMode)0b110_100_100));
    }

    [Test]
    public void The_launcher_is_executable_waits_for_the_agents_screen_url_and_runs_chromium_in_kiosk_mode_on_cage()
    {
        var launcher = File.ReadAllText(Launcher);
        Assert.Multiple(() =>
        {
            Assert.That(File.GetUnixFileMode(Launcher), Is.EqualTo((UnixFileMode)0b111_101_101));
            Assert.That(launcher, Does.StartWith("#!/bin/sh\n"));
            Assert.That(launcher, Does.Contain($"url_file='{_kiosk.DataFolder}/screen/screen.url'"));
            Assert.That(launcher, Does.Contain("agent='kiosk-agent.service'"));
            Assert.That(launcher, Does.Contain("http://127.0.0.1:*/screen/*"));
            Assert.That(launcher, Does.Contain("exec cage -- chromium --kiosk "));
        });
    }

    [Test]
    public async Task The_launcher_refuses_a_screen_url_that_is_not_the_agents_loopback_page()
    {
        var sh = InstallScript.FindOnPath("sh")!;
        Directory.CreateDirectory(Path.Combine(_kiosk.DataFolder, "screen"));
        File.WriteAllText(Path.Combine(_kiosk.DataFolder, "screen", "screen.url"), "http://example.com/phish\n");
        var run = await InstallScript.RunProcessAsync(sh, [Launcher], new Dictionary<string, string?>(), _kiosk.DataFolder, TimeSpan.FromMinutes(1));
        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.StandardError, Does.Contain("does not hold a loopback screen URL"));
    }

    [Test]
    public async Task Systemd_analyze_verify_passes_on_the_staged_screen_unit()
    {
        var analyze = InstallScript.FindOnPath("systemd-analyze");
        if (analyze is null)
        {
            Assert.Ignore("systemd-analyze is not installed (Debian package systemd)");
        }

        Assert.That(Lines(_install.StandardOutput), Has.Member($"verified: systemd-analyze verify {ScreenUnit} (ok)"), _install.ToString());
        var verify = await InstallScript.RunProcessAsync(analyze!, ["verify", _kiosk.UnitFile, ScreenUnit]);
        Assert.That(verify.ExitCode, Is.Zero, verify.ToString());
        Assert.That(verify.Output, Does.Not.Contain("kiosk-screen.service"), verify.ToString());
    }

    [Test]
    public void Each_system_step_of_the_screen_is_printed_as_skipped_under_Root()
    {
        var output = Lines(_install.StandardOutput);
        Assert.That(output, Has.Member("skipped under -Root: groupadd --system kiosk-screen"), _install.ToString());
        Assert.That(output, Has.Some.StartsWith("skipped under -Root: useradd --system --gid kiosk-screen --create-home --home-dir /var/lib/kiosk-screen"));
        Assert.That(output, Has.Member("skipped under -Root: usermod --append --groups kiosk-screen kiosk"));
        Assert.That(output, Has.Member($"skipped under -Root: setfacl --modify u:kiosk-screen:x {_kiosk.DataFolder}"));
        Assert.That((int)File.GetUnixFileMode(Path.Combine(_kiosk.DataFolder, "screen")) & 0xFFF, Is.EqualTo(Convert.ToInt32("2750", 8)), "setgid: the agent's screen.url is group kiosk-screen");
        Assert.That(output, Has.Member("skipped under -Root: apt-get install -y --no-install-recommends cage chromium fonts-noto-cjk acl"));
        Assert.That(output, Has.Member("skipped under -Root: systemctl enable --now kiosk-screen.service"));
        Assert.That(File.ReadAllText(Pam), Does.Contain("session  required pam_systemd.so"));
        Assert.That(_install.StandardError, Is.Empty);
    }

    [Test]
    public async Task With_NoScreen_nothing_of_the_screen_is_installed_and_uninstall_removes_it()
    {
        using var plain = new TempFolder("kiosk-noscreen");
        var kiosk = new StagedKiosk(plain.Path);
        var install = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"), "-NoScreen");
        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        Assert.That(File.Exists(Path.Combine(kiosk.Root, "etc", "systemd", "system", "kiosk-screen.service")), Is.False);
        Assert.That(install.StandardOutput, Does.Not.Contain("kiosk-screen"));

        using var screened = new TempFolder("kiosk-screen-uninstall");
        var other = new StagedKiosk(screened.Path);
        Assert.That((await other.InstallAsync(TestPackages.Slim("1.0.0"))).ExitCode, Is.Zero);
        var uninstall = await other.UninstallAsync();
        Assert.That(uninstall.ExitCode, Is.Zero, uninstall.ToString());
        Assert.That(Lines(uninstall.StandardOutput), Has.Member("skipped under -Root: systemctl disable --now kiosk-screen.service"));
        foreach (var file in new[] { "etc/systemd/system/kiosk-screen.service", "usr/local/lib/kiosk/kiosk-screen", "etc/pam.d/kiosk-screen" })
        {
            Assert.That(File.Exists(Path.Combine(other.Root, file)), Is.False, file);
        }
    }
}
