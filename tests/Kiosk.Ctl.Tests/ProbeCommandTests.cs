using System.Runtime.Versioning;
using System.Text.Json.Nodes;
using Kiosk.Ctl.Probe;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl probe as a process, on configurations of real drivers behind stand-ins (a socat pseudo-terminal with a
/// GA/T 467 SAM answering, photographs as cameras, sox playing a WAV file in arecord's place). kioskctl is part of the
/// production package: it knows the real drivers only, and says so about a simulated device.
/// </summary>
[NonParallelizable]
public sealed class ProbeCommandTests
{
    private TempFolder _folder = null!;

    [SetUp]
    public void MakeFolder() => _folder = new TempFolder("probe");

    [TearDown]
    public void RemoveFolder() => _folder.Dispose();

    private string WriteConfig(JsonObject devices)
    {
        var config = new JsonObject
        {
            ["Kiosk"] = new JsonObject
            {
                ["SiteId"] = "site-1",
                ["KioskId"] = "kiosk-01",
                ["Profile"] = "demo",
                ["DataFolder"] = _folder.File("data"),
                ["Devices"] = devices,
            },
        };
        var path = _folder.File("agent.json");
        File.WriteAllText(path, config.ToJsonString());
        return path;
    }

    private static async Task<(int ExitCode, JsonNode Report)> Probe(string config, params string[] args)
    {
        var run = await KioskctlProcess.RunAsync(["probe", "--json", "--config", config, .. args]);
        return (run.ExitCode, run.Json);
    }

    private static JsonNode Device(JsonNode report, string deviceClass) =>
        report["devices"]!.AsArray().Single(d => d!["class"]!.GetValue<string>() == deviceClass)!;

    private static string Text(JsonNode node, string property) => node[property]?.GetValue<string>() ?? "";

    [Test]
    public async Task A_kiosk_without_devices_lists_every_class_as_not_fitted()
    {
        var (exit, report) = await Probe(WriteConfig([]));

        Assert.That(exit, Is.Zero, report.ToJsonString());
        Assert.That(report["healthy"]!.GetValue<bool>(), Is.True);
        var devices = report["devices"]!.AsArray();
        Assert.That(devices.Select(d => Text(d!, "class")), Is.EquivalentTo(Enum.GetNames<Kiosk.Devices.DeviceClass>()));
        Assert.That(devices.Select(d => Text(d!, "health")), Is.All.EqualTo("none"));
        Assert.That(devices.Select(d => Text(d!, "driver")), Is.All.EqualTo("None"));
        Assert.That(report["discovered"]!.AsObject().Select(p => p.Key), Is.EquivalentTo(new[] { "cameras", "serialPorts", "gpioChips", "audio", "scanners" }));
    }

    [Test]
    public async Task A_simulated_device_is_a_failed_row_naming_the_real_drivers()
    {
        var (exit, report) = await Probe(WriteConfig(new JsonObject { ["FaceCamera"] = "Simulated" }));

        Assert.That(exit, Is.EqualTo(1), report.ToJsonString());
        var camera = Device(report, "FaceCamera");
        Assert.That(Text(camera, "health"), Is.EqualTo("failed"));
        Assert.That(Text(camera, "detail"), Does.Contain("is a simulator"));
        Assert.That(Text(camera, "fix"), Does.Contain("OpenCv, None"));
    }

    [Test]
    public async Task Real_drivers_behind_stand_ins_are_opened_and_checked()
    {
        using var pair = SocatPair.Start();
        using var sam = new ProbeSamStandIn(pair.DevicePath);
        var config = WriteConfig(new JsonObject
        {
            ["FaceCamera"] = "OpenCv",
            ["OpenCv"] = new JsonObject { ["Source"] = RepositoryPaths.TestDataFile("astronaut.png") },
            ["DocumentCamera"] = "OpenCv",
            ["DocumentOpenCv"] = new JsonObject { ["Source"] = RepositoryPaths.TestDataFile("page.png") },
            ["AudioRecorder"] = "Arecord",
            ["Arecord"] = new JsonObject
            {
                ["Command"] = "sox",
                ["Arguments"] = new JsonArray("-q", RepositoryPaths.TestDataFile("speech.wav"), "-t", "raw", "-r", "16000", "-e", "signed", "-b", "16", "-c", "1", "-"),
            },
            ["IdCardReader"] = "Sam",
            ["Sam"] = new JsonObject { ["PortName"] = pair.KioskPath },
        });

        var (exit, report) = await Probe(config);

        Assert.That(exit, Is.Zero, report.ToJsonString());
        foreach (var (deviceClass, driver) in new[] { ("FaceCamera", "OpenCv"), ("DocumentCamera", "OpenCv"), ("AudioRecorder", "Arecord"), ("IdCardReader", "Sam") })
        {
            var row = Device(report, deviceClass);
            Assert.That(Text(row, "driver"), Is.EqualTo(driver), deviceClass);
            Assert.That(Text(row, "health"), Is.EqualTo("ok"), row.ToJsonString());
        }

        var reader = Device(report, "IdCardReader");
        Assert.That(Text(reader, "location"), Does.Contain(pair.KioskPath));
        Assert.That(Text(reader, "detail"), Does.Contain("SAM " + ProbeSamStandIn.SamId), "the full check asked the SAM for its id");
        Assert.That(Text(Device(report, "FaceCamera"), "location"), Does.EndWith("astronaut.png"));
        Assert.That(sam.Requests, Is.Not.Empty);
        var port = report["discovered"]!["serialPorts"]!.AsArray().Single(p => Text(p!, "path") == pair.KioskPath)!;
        Assert.That(Text(port, "kind"), Is.EqualTo("pseudo-terminal"));
        Assert.That(Text(port, "name"), Does.Contain("Kiosk:Devices:Sam:PortName"));
    }

    [Test]
    public async Task The_quick_level_opens_the_reader_without_talking_to_it()
    {
        using var pair = SocatPair.Start();
        using var sam = new ProbeSamStandIn(pair.DevicePath);
        var config = WriteConfig(new JsonObject { ["IdCardReader"] = "Sam", ["Sam"] = new JsonObject { ["PortName"] = pair.KioskPath } });

        var (exit, report) = await Probe(config, "--level", "quick");

        Assert.That(exit, Is.Zero, report.ToJsonString());
        Assert.That(Text(Device(report, "IdCardReader"), "health"), Is.EqualTo("ok"));
        Assert.That(sam.Requests, Is.Empty);
    }

    [Test]
    public async Task A_reader_that_does_not_answer_fails_with_what_to_check()
    {
        using var pair = SocatPair.Start(); // the line is there, nothing answers on it
        var config = WriteConfig(new JsonObject
        {
            ["IdCardReader"] = "Sam",
            ["Sam"] = new JsonObject { ["PortName"] = pair.KioskPath, ["ResponseTimeout"] = "00:00:01" },
            ["FaceCamera"] = "OpenCv",
            ["OpenCv"] = new JsonObject { ["Source"] = RepositoryPaths.TestDataFile("astronaut.png") },
        });

        var (exit, report) = await Probe(config);
        var reader = Device(report, "IdCardReader");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(report["healthy"]!.GetValue<bool>(), Is.False);
        Assert.That(Text(reader, "health"), Is.EqualTo("failed"));
        Assert.That(Text(reader, "detail"), Does.Contain("Timeout"));
        Assert.That(Text(reader, "fix"), Does.Contain("Kiosk:Devices:Sam:BaudRate"));
        Assert.That(Text(Device(report, "FaceCamera"), "health"), Is.EqualTo("ok"), "the other devices are still checked");
    }

    [Test]
    public async Task A_serial_reader_on_a_missing_port_fails_naming_the_port()
    {
        var missing = _folder.File("ttyUSB9");
        var config = WriteConfig(new JsonObject { ["FingerprintReader"] = "R30x", ["R30x"] = new JsonObject { ["PortName"] = missing } });

        var (exit, report) = await Probe(config);
        var reader = Device(report, "FingerprintReader");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(Text(reader, "health"), Is.EqualTo("failed"));
        Assert.That(Text(reader, "detail"), Does.Contain(missing).And.Contain("does not exist"));
        Assert.That(Text(reader, "fix"), Does.Contain("Kiosk:Devices:R30x:PortName"));
        Assert.That(report["devices"]!.AsArray().Where(d => Text(d!, "class") != "FingerprintReader").Select(d => Text(d!, "health")), Is.All.EqualTo("none"), "the kiosk has no other device");
    }

    [Test]
    public async Task A_driver_that_cannot_be_created_is_one_failed_row_not_a_crash()
    {
        var missing = _folder.File("event42");
        var config = WriteConfig(new JsonObject
        {
            ["SignaturePad"] = "Evdev",
            ["Evdev"] = new JsonObject { ["DevicePath"] = missing },
            ["FaceCamera"] = "OpenCv",
            ["OpenCv"] = new JsonObject { ["Source"] = RepositoryPaths.TestDataFile("astronaut.png") },
        });

        var (exit, report) = await Probe(config);
        var pad = Device(report, "SignaturePad");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(Text(pad, "health"), Is.EqualTo("failed"));
        Assert.That(Text(pad, "detail"), Does.Contain("could not be started").And.Contain(missing), "the agent's own stand-in for a driver it cannot build");
        Assert.That(Text(pad, "fix"), Does.Contain("Kiosk:Devices:Evdev:DevicePath"));
        Assert.That(report["devices"]!.AsArray(), Has.Count.EqualTo(10));
        Assert.That(Text(Device(report, "FaceCamera"), "health"), Is.EqualTo("ok"), "the other devices are still checked");
    }

    [Test]
    public async Task An_unknown_driver_name_is_a_failed_row_naming_the_choices()
    {
        var config = WriteConfig(new JsonObject { ["FaceCamera"] = "Webcam" });

        var (exit, report) = await Probe(config);
        var camera = Device(report, "FaceCamera");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(Text(camera, "health"), Is.EqualTo("failed"));
        Assert.That(Text(camera, "detail"), Does.Contain("'Webcam' is not a known driver"));
        Assert.That(Text(camera, "fix"), Does.Contain("OpenCv, None"));
    }

    [Test]
    public async Task A_missing_configuration_file_exits_3_naming_the_path_and_the_fix()
    {
        var missing = _folder.File("nowhere.json");

        var (exit, stdout, stderr) = await KioskctlProcess.RunAsync("probe", "--config", missing);

        Assert.That(exit, Is.EqualTo(3));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr, Does.Contain(missing).And.Contain("kioskctl init").And.Contain("--config"));
    }

    [Test]
    public async Task The_table_says_which_device_is_not_healthy_and_what_to_do()
    {
        var config = WriteConfig(new JsonObject { ["IdCardReader"] = "Sam", ["Sam"] = new JsonObject { ["PortName"] = _folder.File("ttyUSB7") } });

        var (exit, stdout, _) = await KioskctlProcess.RunAsync("probe", "--config", config, "--level", "quick");

        Assert.That(exit, Is.EqualTo(1));
        Assert.That(stdout, Does.Contain("found on this machine"));
        Assert.That(stdout, Does.Contain("1 of 10 configured devices are not healthy: IdCardReader"));
    }

    [Test]
    public async Task A_bad_level_is_a_usage_error()
    {
        var (exit, _, stderr) = await KioskctlProcess.RunAsync("probe", "--config", WriteConfig([]), "--level", "thorough");

        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("thorough"));
    }
}

/// <summary>Discovery on a fake /dev, /sys and /proc laid out as the kernel lays them out, and with stand-in tools.</summary>
public sealed class ProbeDiscoveryTests
{
    private TempFolder _root = null!;

    [SetUp]
    public void MakeTree() => _root = new TempFolder("probe-tree");

    [TearDown]
    public void RemoveTree() => _root.Dispose();

    private string Make(string relative, string? content = null)
    {
        var path = Path.Combine(_root.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content ?? "");
        return path;
    }

    private void Link(string relative, string target)
    {
        var path = Path.Combine(_root.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    [Test]
    public void Cameras_carry_their_sysfs_name_and_stable_name()
    {
        Make("dev/video0");
        Make("dev/video1");
        Make("dev/videocodec"); // not a node of the video class
        Make("sys/class/video4linux/video0/name", "HD Pro Webcam C920\n");
        Make("sys/class/video4linux/video0/index", "0\n");
        Make("sys/class/video4linux/video1/name", "HD Pro Webcam C920\n");
        Make("sys/class/video4linux/video1/index", "1\n");
        Link("dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920-video-index0", "../../video0");

        var cameras = new Discovery(_root.Path).Cameras();

        Assert.That(cameras.Select(c => c.Path), Is.EqualTo(new[] { "/dev/video0", "/dev/video1" }));
        Assert.That(cameras[0].Name, Is.EqualTo("HD Pro Webcam C920"));
        Assert.That(cameras[0].Index, Is.Zero);
        Assert.That(cameras[0].ById, Is.EqualTo("/dev/v4l/by-id/usb-046d_HD_Pro_Webcam_C920-video-index0"));
        Assert.That(cameras[1].ById, Is.Null);
    }

    [Test]
    public void Serial_ports_are_named_and_UARTs_without_hardware_are_left_out()
    {
        // A USB serial adapter: the class entry links into the USB device tree, whose device carries the product name.
        Make("dev/ttyUSB0");
        Make("sys/devices/usb1/1-1/product", "FT232R USB UART\n");
        Make("sys/devices/usb1/1-1/manufacturer", "FTDI\n");
        Directory.CreateDirectory(Path.Combine(_root.Path, "sys/devices/usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0"));
        Link("sys/devices/usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0/device", "../../../ttyUSB0");
        Link("sys/class/tty/ttyUSB0", "../../devices/usb1/1-1/1-1:1.0/ttyUSB0/tty/ttyUSB0");
        Link("dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0", "../../ttyUSB0");

        // Two UARTs the kernel made; only ttyS0 has a chip behind it (type 4, a 16550A).
        Make("dev/ttyS0");
        Make("dev/ttyS1");
        Make("sys/class/tty/ttyS0/type", "4\n");
        Make("sys/class/tty/ttyS1/type", "0\n");
        Directory.CreateDirectory(Path.Combine(_root.Path, "sys/devices/platform/serial8250"));
        Directory.CreateDirectory(Path.Combine(_root.Path, "sys/bus/platform/drivers/serial8250"));
        Link("sys/devices/platform/serial8250/driver", "../../../bus/platform/drivers/serial8250");
        Link("sys/class/tty/ttyS0/device", "../../../devices/platform/serial8250");
        Link("sys/class/tty/ttyS1/device", "../../../devices/platform/serial8250");

        // A pseudo-terminal the configuration names.
        var configured = Make("pty-link");

        var ports = new Discovery(_root.Path).SerialPorts([(configured, "Kiosk:Devices:Sam:PortName")]);

        Assert.That(ports.Select(p => p.Path), Is.EqualTo(new[] { "/dev/ttyUSB0", "/dev/ttyS0", configured }));
        Assert.That(ports[0].Kind, Is.EqualTo("usb-serial"));
        Assert.That(ports[0].Name, Is.EqualTo("FTDI FT232R USB UART"));
        Assert.That(ports[0].ById, Is.EqualTo("/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A50285BI-if00-port0"));
        Assert.That(ports[1].Name, Does.Contain("16550A").And.Contain("serial8250"));
        Assert.That(ports[2].Name, Does.Contain("Kiosk:Devices:Sam:PortName"));
    }

    [Test]
    public void GPIO_chips_take_label_and_lines_from_the_legacy_class()
    {
        Make("dev/gpiochip0");
        Make("dev/gpiochip1");
        Directory.CreateDirectory(Path.Combine(_root.Path, "sys/bus/gpio/devices/gpiochip0"));
        Make("sys/class/gpio/gpiochip512/label", "pinctrl-bcm2711\n");
        Make("sys/class/gpio/gpiochip512/ngpio", "58\n");
        Link("sys/class/gpio/gpiochip512/device", "../../../bus/gpio/devices/gpiochip0");

        var chips = new Discovery(_root.Path).GpioChips();

        Assert.That(chips, Has.Count.EqualTo(2));
        Assert.That(chips[0], Is.EqualTo(new DiscoveredGpioChip("/dev/gpiochip0", "pinctrl-bcm2711", 58)));
        Assert.That(chips[1].Path, Is.EqualTo("/dev/gpiochip1"));
        Assert.That(chips[1].Lines, Is.Null);
    }

    [Test]
    public async Task Audio_devices_come_from_proc_asound()
    {
        Make("proc/asound/cards", " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf7f10000 irq 32\n 1 [Device         ]: USB-Audio - USB PnP Sound Device\n                      C-Media USB PnP Sound Device at usb-0000:00:14.0-2\n");
        Make("proc/asound/pcm", "00-00: ALC892 Analog : ALC892 Analog : playback 1 : capture 1\n00-03: HDMI 0 : HDMI 0 : playback 1\n01-00: USB Audio : USB Audio : capture 1\n");

        var audio = await new Discovery(_root.Path).AudioAsync(CancellationToken.None);

        Assert.That(audio, Is.EqualTo(new[]
        {
            new DiscoveredAudio("hw:0,0", "HDA Intel PCH", "ALC892 Analog", Playback: true, Capture: true),
            new DiscoveredAudio("hw:0,3", "HDA Intel PCH", "HDMI 0", Playback: true, Capture: false),
            new DiscoveredAudio("hw:1,0", "USB PnP Sound Device", "USB Audio", Playback: false, Capture: true),
        }));
    }

    [Test]
    [UnsupportedOSPlatform("windows")] // Unix file modes
    public async Task Scanners_come_from_scanimage_and_a_missing_scanimage_is_a_note()
    {
        var script = Make("scanimage", "#!/bin/sh\necho \"device \\`epson2:libusb:001:005' is a Epson PID 0x084a flatbed scanner\"\necho \"device \\`airscan:e0:Brother ADS-2200' is a eSCL Brother ADS-2200 ip=192.168.1.20\"\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        var discovery = new Discovery(_root.Path);

        var scanners = await discovery.ScannersAsync(script, CancellationToken.None);
        var none = await discovery.ScannersAsync(Path.Combine(_root.Path, "no-such-scanimage"), CancellationToken.None);

        Assert.That(scanners.Select(s => s.Device), Is.EqualTo(new[] { "epson2:libusb:001:005", "airscan:e0:Brother ADS-2200" }));
        Assert.That(scanners[0].Description, Is.EqualTo("Epson PID 0x084a flatbed scanner"));
        Assert.That(none, Is.Empty);
        Assert.That(discovery.Notes, Has.Some.Contains("sane-utils"));
    }

    [Test]
    public void An_empty_machine_finds_nothing_and_says_nothing_is_wrong()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, "dev"));
        var discovery = new Discovery(_root.Path);

        Assert.That(discovery.Cameras(), Is.Empty);
        Assert.That(discovery.SerialPorts([]), Is.Empty);
        Assert.That(discovery.GpioChips(), Is.Empty);
        Assert.That(discovery.Notes, Is.Empty);
    }
}
