using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// The unit allows only the device nodes the configuration names: install writes them into the drop-in
/// kiosk-agent.service.d/devices.conf, and -UpdateDevices rewrites it after a technician changed a device with
/// kioskctl config set. Device paths are the machine's own (/dev is never staged).
/// </summary>
[Parallelizable(ParallelScope.All)]
[Platform("Linux", Reason = "the Linux (systemd) layout; install.ps1 on Windows is not tested here")]
[SupportedOSPlatform("linux")]
public sealed class DeviceAllowTests
{
    private static async Task<StagedKiosk> Installed(TempFolder folder)
    {
        var kiosk = new StagedKiosk(folder.File("root"));
        var install = await kiosk.InstallAsync(TestPackages.Slim("1.0.0"));
        Assert.That(install.ExitCode, Is.Zero, install.ToString());
        return kiosk;
    }

    /// <summary>Sets Kiosk:Devices in the staged agent.json as kioskctl config set would leave it.</summary>
    private static void SetDevices(StagedKiosk kiosk, JsonObject devices)
    {
        var config = JsonNode.Parse(File.ReadAllText(kiosk.ConfigFile))!;
        config["Kiosk"]!["Devices"] = devices;
        File.WriteAllText(kiosk.ConfigFile, config.ToJsonString());
    }

    private static List<string> DeviceAllowLines(StagedKiosk kiosk) =>
        File.ReadAllLines(kiosk.DevicesDropIn).Where(line => line.StartsWith("DeviceAllow=", StringComparison.Ordinal)).ToList();

    private static void ExpectVerified(ProcessResult result, StagedKiosk kiosk)
    {
        if (InstallScript.FindOnPath("systemd-analyze") is not null)
        {
            Assert.That(result.Lines, Has.Member($"verified: systemd-analyze verify {kiosk.UnitFile} (ok)"), result.ToString());
        }
    }

    [Test]
    public async Task Install_allows_no_device_while_every_device_is_simulated()
    {
        using var folder = new TempFolder("kiosk-devices");
        var kiosk = await Installed(folder);

        var dropIn = File.ReadAllLines(kiosk.DevicesDropIn);

        Assert.That(dropIn, Does.Contain("[Service]"));
        Assert.That(DeviceAllowLines(kiosk), Is.EqualTo(new[] { "DeviceAllow=" }), "the empty assignment resets the list: nothing but the lines below");
        Assert.That(File.ReadAllLines(kiosk.UnitFile), Has.Member("DevicePolicy=closed").And.None.StartsWith("DeviceAllow="));
        Assert.That(File.GetUnixFileMode(kiosk.DevicesDropIn), Is.EqualTo((UnixFileMode)0b110_100_100));
    }

    [Test]
    public async Task UpdateDevices_allows_exactly_the_configured_nodes_and_a_class_for_stable_links()
    {
        using var folder = new TempFolder("kiosk-devices");
        var kiosk = await Installed(folder);
        SetDevices(kiosk, new JsonObject
        {
            ["FaceCamera"] = "OpenCv",
            ["OpenCv"] = new JsonObject { ["Source"] = "2" },
            ["DocumentCamera"] = "OpenCv",
            ["DocumentOpenCv"] = new JsonObject { ["Source"] = "/dev/v4l/by-id/usb-Doc_Cam_0001-video-index0" },
            ["DocumentScanner"] = "Sane",
            ["Sane"] = new JsonObject { ["DeviceName"] = "fujitsu:fi-7160:1234" },
            // .NET configuration keys are case-insensitive: so is the allow-list.
            ["signaturePad"] = "Evdev",
            ["evdev"] = new JsonObject { ["devicePath"] = "/dev/input/event5" },
            ["FingerprintReader"] = "R30x",
            ["IdCardReader"] = "Sam",
            ["Sam"] = new JsonObject { ["PortName"] = "/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K-if00-port0" },
            ["AudioRecorder"] = "Arecord",
            ["AudioPlayer"] = "Aplay",
            ["Indicators"] = "Gpio",
            ["Sensors"] = "Gpio",
            ["ClimateSensorI2cBus"] = 1,
        });

        var update = await kiosk.UpdateDevicesAsync();

        Assert.That(update.ExitCode, Is.Zero, update.ToString());
        Assert.That(DeviceAllowLines(kiosk), Is.EquivalentTo(new[]
        {
            "DeviceAllow=",
            "DeviceAllow=/dev/video2 rw",
            // A by-id link that is not there now (the device is unplugged) is allowed by the class its folder holds.
            "DeviceAllow=char-video4linux rw",
            "DeviceAllow=char-usb_device rw",
            "DeviceAllow=/dev/input/event5 r",
            "DeviceAllow=/dev/ttyUSB1 rw", // R30x's default port
            "DeviceAllow=char-ttyUSB rw",
            "DeviceAllow=char-ttyACM rw",
            "DeviceAllow=char-alsa rw",
            "DeviceAllow=/dev/gpiochip0 rw",
            "DeviceAllow=/dev/i2c-1 rw",
        }), File.ReadAllText(kiosk.DevicesDropIn));
        Assert.That(update.Lines, Has.Member("skipped under -Root: systemctl daemon-reload"));
        Assert.That(update.Lines, Has.Member("skipped under -Root: systemctl restart kiosk-agent"));
        Assert.That(update.LastLine, Does.StartWith($"install.ps1: updated the device allow-list {kiosk.DevicesDropIn}"));
        ExpectVerified(update, kiosk);
        Assert.That(update.StandardError, Is.Empty);
    }

    [Test]
    public async Task A_configured_symlink_is_allowed_by_its_targets_class_and_a_plain_node_by_its_path()
    {
        var target = "/dev/ttyS0";
        var devices = File.Exists("/proc/devices") ? File.ReadAllText("/proc/devices") : "";
        if (!Path.Exists(target) || !devices.Contains(" ttyS\n", StringComparison.Ordinal))
        {
            Assert.Ignore($"{target} (a ttyS serial port the kernel lists in /proc/devices) is not on this machine");
        }

        using var folder = new TempFolder("kiosk-devices");
        var kiosk = await Installed(folder);
        // A stand-in for /dev/serial/by-id/...: a link under /dev (in /dev/shm, which anyone may write) to a real node.
        var links = Directory.CreateDirectory(Path.Combine("/dev/shm", "kiosk-test-" + Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            var link = Path.Combine(links, "usb-Reader-if00-port0");
            File.CreateSymbolicLink(link, target);
            SetDevices(kiosk, new JsonObject
            {
                ["IdCardReader"] = "Sam",
                ["Sam"] = new JsonObject { ["PortName"] = link },
                ["FingerprintReader"] = "R30x",
                ["R30x"] = new JsonObject { ["PortName"] = target },
            });

            var update = await kiosk.UpdateDevicesAsync();

            Assert.That(update.ExitCode, Is.Zero, update.ToString());
            Assert.That(DeviceAllowLines(kiosk), Is.EquivalentTo(new[] { "DeviceAllow=", "DeviceAllow=char-ttyS rw", "DeviceAllow=/dev/ttyS0 rw" }), File.ReadAllText(kiosk.DevicesDropIn));
            Assert.That(File.ReadAllText(kiosk.DevicesDropIn), Does.Contain($"{link} -> {target}"), "the comment says which node the link pointed at");
            ExpectVerified(update, kiosk);
        }
        finally
        {
            Directory.Delete(links, recursive: true);
        }
    }

    [Test]
    public async Task Cameras_read_from_a_file_or_a_URL_need_no_device()
    {
        using var folder = new TempFolder("kiosk-devices");
        var kiosk = await Installed(folder);
        SetDevices(kiosk, new JsonObject
        {
            ["FaceCamera"] = "OpenCv",
            ["OpenCv"] = new JsonObject { ["Source"] = "rtsp://192.0.2.10/face" },
            ["DocumentCamera"] = "OpenCv",
            ["DocumentOpenCv"] = new JsonObject { ["Source"] = "/srv/kiosk/pages/%03d.png" },
            ["IdCardReader"] = "Simulated",
            ["Sam"] = new JsonObject { ["PortName"] = "/dev/ttyUSB7" }, // settings of a driver not chosen open nothing
        });

        var update = await kiosk.UpdateDevicesAsync();

        Assert.That(update.ExitCode, Is.Zero, update.ToString());
        Assert.That(DeviceAllowLines(kiosk), Is.EqualTo(new[] { "DeviceAllow=" }));
    }

    [Test]
    public async Task UpdateDevices_again_changes_nothing_and_does_not_restart()
    {
        using var folder = new TempFolder("kiosk-devices");
        var kiosk = await Installed(folder);
        SetDevices(kiosk, new JsonObject { ["IdCardReader"] = "Sam" });
        var first = await kiosk.UpdateDevicesAsync();
        Assert.That(first.ExitCode, Is.Zero, first.ToString());
        var before = TreeSnapshot.Take(kiosk.Root);

        var again = await kiosk.UpdateDevicesAsync();

        Assert.That(again.ExitCode, Is.Zero, again.ToString());
        Assert.That(TreeSnapshot.Take(kiosk.Root), Is.EqualTo(before));
        Assert.That(again.Lines, Has.None.Contains("systemctl restart"));
        Assert.That(again.LastLine, Does.StartWith($"install.ps1: the device allow-list {kiosk.DevicesDropIn} already matches {kiosk.ConfigFile}; nothing changed"));
    }

    [Test]
    public async Task A_device_path_the_unit_cannot_hold_is_refused_naming_the_key_and_nothing_changes()
    {
        using var folder = new TempFolder("kiosk-devices");
        var kiosk = await Installed(folder);
        SetDevices(kiosk, new JsonObject { ["IdCardReader"] = "Sam", ["Sam"] = new JsonObject { ["PortName"] = "/dev/tty USB0" } });
        var before = File.ReadAllText(kiosk.DevicesDropIn);

        var update = await kiosk.UpdateDevicesAsync();

        Assert.That(update.ExitCode, Is.EqualTo(1), update.ToString());
        Assert.That(update.StandardError, Does.Contain("Kiosk:Devices:Sam:PortName '/dev/tty USB0'").And.Contain("kioskctl config set"), update.ToString());
        Assert.That(File.ReadAllText(kiosk.DevicesDropIn), Is.EqualTo(before));
    }

    [Test]
    public async Task A_line_break_in_a_configured_name_cannot_add_a_directive_to_the_unit()
    {
        using var folder = new TempFolder("kiosk-devices");
        var kiosk = await Installed(folder);
        SetDevices(kiosk, new JsonObject { ["DocumentScanner"] = "Sane", ["Sane"] = new JsonObject { ["DeviceName"] = "fujitsu:fi-7160\n[Service]\nExecStartPre=+/bin/sh -c id" } });

        var update = await kiosk.UpdateDevicesAsync();

        Assert.That(update.ExitCode, Is.Zero, update.ToString());
        var lines = File.ReadAllLines(kiosk.DevicesDropIn);
        Assert.That(lines, Has.None.StartsWith("ExecStartPre"), string.Join('\n', lines));
        Assert.That(lines.Count(line => line == "[Service]"), Is.EqualTo(1));
        Assert.That(DeviceAllowLines(kiosk), Is.EqualTo(new[] { "DeviceAllow=", "DeviceAllow=char-usb_device rw" }));
    }

    [Test]
    public async Task UpdateDevices_without_an_installed_kiosk_says_to_install()
    {
        using var folder = new TempFolder("kiosk-devices");
        var kiosk = new StagedKiosk(folder.File("root"));

        var update = await kiosk.UpdateDevicesAsync();

        Assert.That(update.ExitCode, Is.EqualTo(1), update.ToString());
        Assert.That(update.StandardError, Does.Contain("no kiosk is installed").And.Contain("-Install"), update.ToString());
        Assert.That(Path.Exists(kiosk.Root), Is.False);
    }
}
