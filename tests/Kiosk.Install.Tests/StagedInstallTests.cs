using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// One install.ps1 -Install of a full (runnable) package under a temporary -Root, then what it staged: every file
/// and mode, the unit, the configuration, systemd-analyze's verdict, and the staged kioskctl and agent running.
/// </summary>
[Parallelizable(ParallelScope.All)]
[Platform("Linux", Reason = "the Linux (systemd) layout; install.ps1 on Windows is not tested here")]
[SupportedOSPlatform("linux")]
public sealed class StagedInstallTests
{
    private TempFolder _root = null!;
    private StagedKiosk _kiosk = null!;
    private ProcessResult _install = null!;

    [OneTimeSetUp]
    public async Task Install()
    {
        _root = new TempFolder("kiosk-staged");
        _kiosk = new StagedKiosk(_root.Path);
        _install = await _kiosk.InstallAsync(TestPackages.Full("1.0.0"));
        Assert.That(_install.ExitCode, Is.Zero, _install.ToString());
    }

    [OneTimeTearDown]
    public void Delete() => _root.Dispose();

    private static IEnumerable<string> Lines(string text) => text.Split('\n').Select(line => line.TrimEnd('\r'));

    [Test]
    public void Install_says_what_it_did_and_prints_each_system_step_it_skipped_under_Root()
    {
        var output = Lines(_install.StandardOutput).ToList();
        Assert.That(output, Has.Member("skipped under -Root: groupadd --system kiosk"), _install.ToString());
        Assert.That(output, Has.Member("skipped under -Root: useradd --system --gid kiosk --no-create-home --home-dir /var/lib/kiosk --shell /usr/sbin/nologin kiosk"));
        Assert.That(output, Has.Some.Matches<string>(line => line.StartsWith("skipped under -Root: apt-get install -y", StringComparison.Ordinal) && line.Contains(" libgtk-3-0 opencv-data sane-utils alsa-utils", StringComparison.Ordinal)));
        Assert.That(output, Has.Member($"skipped under -Root: chown kiosk:kiosk {_kiosk.DataFolder}"));
        Assert.That(output, Has.Member("skipped under -Root: systemctl daemon-reload"));
        Assert.That(output, Has.Member("skipped under -Root: systemctl enable --now kiosk-agent"));
        Assert.That(output, Has.Member($"created: {_kiosk.ConfigFile} (0640)"));
        Assert.That(output.Last(line => line.Length > 0), Does.StartWith($"install.ps1: installed kiosk 1.0.0 in {_kiosk.ProgramFolder}"));
        Assert.That(_install.StandardError, Is.Empty);
    }

    [Test]
    public void Every_folder_and_file_is_staged_with_its_mode()
    {
        const UnixFileMode rwxr_xr_x = (UnixFileMode)0b111_101_101;
        const UnixFileMode rwxr_x___ = (UnixFileMode)0b111_101_000;
        const UnixFileMode rwx______ = (UnixFileMode)0b111_000_000;
        const UnixFileMode rw_r_____ = (UnixFileMode)0b110_100_000;
        const UnixFileMode rw_r__r__ = (UnixFileMode)0b110_100_100;
        var expected = new Dictionary<string, UnixFileMode>
        {
            [_kiosk.ProgramFolder] = rwxr_xr_x,
            [_kiosk.Releases] = rwxr_xr_x,
            [Path.Combine(_kiosk.Releases, "1.0.0")] = rwxr_xr_x,
            [Path.Combine(_kiosk.Releases, "1.0.0", "agent")] = rwxr_xr_x,
            [Path.Combine(_kiosk.Releases, "1.0.0", "agent", "kiosk-agent.dll")] = rw_r__r__,
            [Path.Combine(_kiosk.Releases, "1.0.0", "kioskctl", "kioskctl.dll")] = rw_r__r__,
            [Path.Combine(_kiosk.Releases, "1.0.0", "package.json")] = rw_r__r__,
            [_kiosk.ConfigFolder] = rwxr_x___,
            [_kiosk.PkiFolder] = rwx______,
            [_kiosk.ConfigFile] = rw_r_____,
            [_kiosk.DataFolder] = rwxr_x___,
            [_kiosk.LogFolder] = rwxr_x___,
            [_kiosk.UnitFile] = rw_r__r__,
            [_kiosk.Kioskctl] = rwxr_xr_x,
        };
        Assert.Multiple(() =>
        {
            foreach (var (path, mode) in expected)
            {
                Assert.That(Path.Exists(path), Is.True, $"{path} is missing\n{_install}");
                if (Path.Exists(path))
                {
                    Assert.That(File.GetUnixFileMode(path), Is.EqualTo(mode), path);
                }
            }
        });
    }

    [Test]
    public void Current_is_a_relative_symlink_to_the_copied_release_and_there_is_no_previous()
    {
        Assert.That(new DirectoryInfo(_kiosk.Current).LinkTarget, Is.EqualTo("releases/1.0.0"));
        Assert.That(_kiosk.PreviousVersion, Is.Null);
        Assert.That(File.ReadAllText(Path.Combine(_kiosk.Current, "package.json")), Does.Contain("\"1.0.0\""));
        var copied = Directory.GetFiles(Path.Combine(_kiosk.Current, "agent"), "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Path.Combine(_kiosk.Current, "agent"), f));
        var built = Directory.GetFiles(InstallScript.AgentBuildFolder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(InstallScript.AgentBuildFolder, f));
        Assert.That(copied, Is.EquivalentTo(built), "the release holds the whole agent build");
        Assert.That(Directory.GetDirectories(_kiosk.Releases).Select(Path.GetFileName), Is.EqualTo(new[] { "1.0.0" }));
    }

    [Test]
    public void The_configuration_is_in_the_agents_format_with_an_empty_identity_and_the_staged_data_folder()
    {
        var kiosk = JsonNode.Parse(File.ReadAllText(_kiosk.ConfigFile))!["Kiosk"]!;
        Assert.That(kiosk["SiteId"]!.GetValue<string>(), Is.Empty);
        Assert.That(kiosk["KioskId"]!.GetValue<string>(), Is.Empty);
        Assert.That(kiosk["Profile"]!.GetValue<string>(), Is.EqualTo("production"));
        Assert.That(kiosk["DataFolder"]!.GetValue<string>(), Is.EqualTo(_kiosk.DataFolder));
    }

    [Test]
    public void The_unit_runs_the_staged_agent_as_a_hardened_notify_service()
    {
        var unit = Lines(File.ReadAllText(_kiosk.UnitFile)).ToList();
        var execStart = unit.Single(line => line.StartsWith("ExecStart=", StringComparison.Ordinal));
        var dotnet = execStart["ExecStart=".Length..].Split(' ')[0];
        Assert.That(File.Exists(dotnet), Is.True, $"{execStart}: dotnet is not there");
        Assert.That(execStart, Is.EqualTo($"ExecStart={dotnet} {_kiosk.Current}/agent/kiosk-agent.dll"));
        Assert.That(unit, Is.SupersetOf(new[]
        {
            "[Unit]",
            "[Service]",
            "Type=notify",
            $"Environment=KIOSK_CONFIG={_kiosk.ConfigFile}",
            $"WorkingDirectory={_kiosk.DataFolder}",
            "User=kiosk",
            "Group=kiosk",
            "Restart=always",
            "RestartSec=5",
            "ProtectSystem=strict",
            $"ReadWritePaths={_kiosk.DataFolder} {_kiosk.LogFolder}",
            "NoNewPrivileges=yes",
            "PrivateTmp=yes",
            "ProtectHome=yes",
            "ProtectKernelTunables=yes",
            "ProtectControlGroups=yes",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
            "CapabilityBoundingSet=",
            "AmbientCapabilities=",
            "SystemCallFilter=@system-service",
            "SystemCallErrorNumber=EPERM",
            "ProtectProc=invisible",
            "ProcSubset=pid",
            "RemoveIPC=yes",
            "DevicePolicy=closed",
            "[Install]",
            "WantedBy=multi-user.target",
        }));
        Assert.That(unit, Has.None.StartsWith("WatchdogSec="));
        // The devices the configuration names are allowed in the drop-in devices.conf (DeviceAllowTests), not by class here.
        Assert.That(unit, Has.None.StartsWith("DeviceAllow="));
        Assert.That(File.ReadAllLines(_kiosk.DevicesDropIn), Has.Member("DeviceAllow="));
    }

    [Test]
    public void Supplementary_groups_are_the_device_groups_that_exist_here()
    {
        var groups = File.ReadAllLines("/etc/group").Select(line => line.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        var expected = new[] { "dialout", "video", "audio", "input", "gpio", "i2c", "scanner" }.Where(groups.Contains).ToList();
        var unit = Lines(File.ReadAllText(_kiosk.UnitFile)).ToList();
        if (expected.Count == 0)
        {
            Assert.That(unit, Has.None.StartsWith("SupplementaryGroups="));
        }
        else
        {
            Assert.That(unit, Has.Member("SupplementaryGroups=" + string.Join(' ', expected)));
        }
    }

    [Test]
    public async Task Systemd_analyze_verify_passes_on_the_staged_unit()
    {
        var analyze = InstallScript.FindOnPath("systemd-analyze");
        if (analyze is null)
        {
            Assert.Ignore("systemd-analyze is not installed (Debian package systemd)");
        }

        Assert.That(Lines(_install.StandardOutput), Has.Member($"verified: systemd-analyze verify {_kiosk.UnitFile} (ok)"));
        var verify = await InstallScript.RunProcessAsync(analyze!, ["verify", _kiosk.UnitFile]);
        Assert.That(verify.ExitCode, Is.Zero, verify.ToString());
        // Unknown keys and bad values are only warnings (exit code 0): none may name the unit.
        Assert.That(verify.Output, Does.Not.Contain("kiosk-agent.service"), verify.ToString());
    }

    [Test]
    public async Task The_staged_kioskctl_wrapper_runs_the_current_release()
    {
        var wrapper = File.ReadAllText(_kiosk.Kioskctl);
        Assert.That(wrapper, Does.StartWith("#!/bin/sh\n"));
        Assert.That(wrapper, Does.Contain($": \"${{KIOSK_CONFIG:={_kiosk.ConfigFile}}}\"\nexport KIOSK_CONFIG\n"));
        Assert.That(wrapper, Does.Contain($"'{_kiosk.Current}/kioskctl/kioskctl.dll' \"$@\""));

        var help = await _kiosk.RunKioskctlAsync("--help");
        Assert.That(help.ExitCode, Is.Zero, help.ToString());
        Assert.That(help.StandardOutput, Does.Contain("kioskctl"));
    }

    [Test]
    public async Task The_staged_agent_starts_with_the_staged_configuration_and_refuses_an_empty_SiteId()
    {
        var agent = await _kiosk.RunAgentAsync(TimeSpan.FromMinutes(1));
        Assert.That(agent.ExitCode, Is.EqualTo(78), "EX_CONFIG, which the unit's RestartPreventExitStatus names: " + agent);
        Assert.That(agent.Output, Does.Contain("Kiosk:SiteId").And.Contain("kioskctl config validate"), agent.ToString());
        Assert.That(File.ReadAllText(_kiosk.UnitFile), Does.Contain("RestartPreventExitStatus=78"));
    }

    [TestCase("--Kiosk:Devices:IdCardReader=Simulated", "Kiosk:Devices:IdCardReader 'Simulated' is a simulator")]
    [TestCase("--Kiosk:Devices:FaceCamera=Simulated", "Kiosk:Devices:FaceCamera 'Simulated' is a simulator")]
    [TestCase("--Kiosk:Devices:AudioRecorder=File", "Kiosk:Devices:AudioRecorder 'File' is not a known driver: use one of Arecord, None")]
    [TestCase("--Kiosk:Roster:SimulatedPeople=24", "Kiosk:Roster:SimulatedPeople '24' asks for a generated roster")]
    public async Task The_installed_agent_refuses_a_simulated_device_or_a_generated_roster_naming_the_key(string setting, string named)
    {
        var agent = await _kiosk.RunAgentAsync(TimeSpan.FromMinutes(1), null, "--Kiosk:SiteId=site-1", "--Kiosk:KioskId=kiosk-01", setting);

        Assert.That(agent.ExitCode, Is.EqualTo(78), agent.ToString());
        Assert.That(agent.Output, Does.Contain(named), agent.ToString());
    }

    [Test]
    public async Task An_appsettings_file_planted_in_the_writable_data_folder_is_not_read()
    {
        // The unit runs the agent in its data folder, which the service account can write: configuration comes from
        // KIOSK_CONFIG and the program folder only.
        File.WriteAllText(Path.Combine(_kiosk.DataFolder, "appsettings.json"), """{ "Kiosk": { "KioskId": "planted!!", "Sync": { "BrokerHost": "evil.example" } } }""");
        try
        {
            var agent = await _kiosk.RunAgentAsync(TimeSpan.FromMinutes(1));

            Assert.That(agent.ExitCode, Is.EqualTo(78), agent.ToString());
            Assert.That(agent.Output, Does.Contain("Kiosk:SiteId"), "the staged configuration was read");
            Assert.That(agent.Output, Does.Not.Contain("planted!!"), "the planted file was not");
        }
        finally
        {
            File.Delete(Path.Combine(_kiosk.DataFolder, "appsettings.json"));
        }
    }

    [TestCase("{ \"Kiosk\": { \"SiteId\": \"site\\ud800\" } }", "missing low surrogate")]
    [TestCase("{ \"Kiosk\": { \"SiteId\": ", "agent.json")]
    [TestCase("{ \"Kiosk\": { \"Sync\": { \"BrokerPort\": \"eighty\" } } }", "Kiosk:Sync:BrokerPort 'eighty' is not a whole number")]
    public async Task A_configuration_file_the_agent_cannot_read_exits_78_naming_the_file_or_the_key(string content, string named)
    {
        using var folder = new TempFolder("unreadable-config");
        var path = folder.File("agent.json");
        File.WriteAllText(path, content);

        var agent = await _kiosk.RunAgentAsync(TimeSpan.FromMinutes(1), new Dictionary<string, string?> { ["KIOSK_CONFIG"] = path });

        Assert.That(agent.ExitCode, Is.EqualTo(78), agent.ToString());
        Assert.That(agent.Output, Does.Contain(named).And.Contain("did not start"), agent.ToString());
    }
}
