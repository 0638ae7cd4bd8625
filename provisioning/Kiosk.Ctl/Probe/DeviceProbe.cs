using System.Globalization;
using Kiosk.Agent.Devices;
using Kiosk.Devices;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Ctl.Probe;

/// <summary>One configured device as probe found it.</summary>
/// <param name="Class">Device class (Kiosk:Devices key), e.g. IdCardReader.</param>
/// <param name="Driver">The configured implementation, e.g. Sam or Simulated.</param>
/// <param name="Location">Port, path, URL or pins it uses.</param>
/// <param name="Status">The HAL status after the check (Online, NoDevice, HardwareError...).</param>
/// <param name="Health">ok, degraded or failed.</param>
/// <param name="Detail">What was found: the model and the check's answer, or what went wrong.</param>
/// <param name="Fix">What to do when it is not ok.</param>
internal sealed record DeviceRow(string Class, string Driver, string Location, string Status, string Health, string Detail, string? Fix)
{
    public const string Ok = "ok";
    public const string Degraded = "degraded";
    public const string Failed = "failed";
}

/// <summary>
/// Builds the configured devices exactly as the agent does (<see cref="DeviceSet"/> from <c>Kiosk:Devices</c>), opens
/// and claims each, runs its health check and closes everything. A device that cannot even be built or opened is a
/// failed row with the reason and the fix, never a crash; one bad device does not hide the others.
/// </summary>
internal static class DeviceProbe
{
    private const string Owner = "kioskctl probe";
    private static readonly TimeSpan OpenBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan HealthBound = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CloseBound = TimeSpan.FromSeconds(15);

    /// <summary>Binds <c>Kiosk:Devices</c> as the agent does.</summary>
    /// <exception cref="InvalidOperationException">A value does not convert to its option's type (the message names the key).</exception>
    public static DeviceOptions Bind(IConfiguration configuration)
    {
        var options = new DeviceOptions();
        configuration.GetSection("Kiosk:Devices").Bind(options);
        return options;
    }

    /// <summary>The serial ports the configuration names for real serial drivers, with the key that names each.</summary>
    public static IReadOnlyList<(string Path, string Key)> SerialPorts(DeviceOptions options)
    {
        var ports = new List<(string, string)>();
        if (options.IdCardReader == "Sam")
        {
            ports.Add((options.Sam.PortName, "Kiosk:Devices:Sam:PortName"));
        }

        if (options.FingerprintReader == "R30x")
        {
            ports.Add((options.R30x.PortName, "Kiosk:Devices:R30x:PortName"));
        }

        return ports;
    }

    public static async Task<IReadOnlyList<DeviceRow>> RunAsync(IConfiguration configuration, HealthCheckLevel level, string contentRoot, CancellationToken cancellationToken)
    {
        var options = Bind(configuration);
        var slots = options.Slots().ToList();
        var driverProblems = options.DriverProblems().ToList();
        var rows = new Dictionary<string, DeviceRow>(StringComparer.Ordinal);

        // What the agent's validation would refuse is a failed row; the slot is left out of the set (simulated stand-in, not probed).
        foreach (var (slot, driver) in slots)
        {
            if (!DeviceOptions.Drivers[slot].Contains(driver))
            {
                rows[slot] = Row(options, slot, driver, DeviceStatus.NoDevice, DeviceRow.Failed,
                    $"Kiosk:Devices:{slot} '{driver}' is not a known driver",
                    $"set Kiosk:Devices:{slot} to one of {string.Join(", ", DeviceOptions.Drivers[slot])} (kioskctl config set Kiosk:Devices:{slot} ...)");
            }
            else if (Section(slot, driver) is { } section && driverProblems.FirstOrDefault(p => p.StartsWith($"Kiosk:Devices:{section}:", StringComparison.Ordinal)) is { } problem)
            {
                rows[slot] = Row(options, slot, driver, DeviceStatus.NoDevice, DeviceRow.Failed, problem,
                    $"fix Kiosk:Devices:{section} (the agent refuses to start with it); 'kioskctl config validate' lists every problem");
            }
        }

        var set = await BuildAsync(configuration, slots, rows, contentRoot).ConfigureAwait(false);
        if (set is not null)
        {
            try
            {
                foreach (var device in set.All)
                {
                    var slot = device.DeviceClass.ToString();
                    if (!rows.ContainsKey(slot))
                    {
                        var driver = slots.First(s => s.Key == slot).Driver;
                        rows[slot] = await ProbeOneAsync(device, options, slot, driver, level, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                await CloseAsync(set).ConfigureAwait(false);
            }
        }

        return slots.Select(s => rows[s.Key]).ToList();
    }

    /// <summary>
    /// The agent's DeviceSet. A driver whose constructor throws (a missing evdev node, no GPIO controller) would take the
    /// whole set down, so when that happens each real driver is built alone to find the culprits, which become failed rows.
    /// </summary>
    private static async Task<DeviceSet?> BuildAsync(IConfiguration configuration, List<(string Key, string Driver)> slots, Dictionary<string, DeviceRow> rows, string contentRoot)
    {
        var excluded = new HashSet<string>(rows.Keys, StringComparer.Ordinal);
        if (TryBuild(configuration, slot => !excluded.Contains(slot), contentRoot, out var set, out _))
        {
            return set;
        }

        foreach (var (slot, driver) in slots.Where(s => s.Driver != "Simulated" && !excluded.Contains(s.Key)))
        {
            if (TryBuild(configuration, s => s == slot, contentRoot, out var alone, out var error))
            {
                await CloseAsync(alone!).ConfigureAwait(false);
            }
            else
            {
                var options = Bind(configuration);
                var why = driver == "Gpio" && OperatingSystem.IsLinux() && !Directory.EnumerateFileSystemEntries("/dev", "gpiochip*").Any()
                    ? $"this machine has no /dev/gpiochip* ({error!.Message})"
                    : error!.Message;
                rows[slot] = Row(options, slot, driver, DeviceStatus.NoDevice, DeviceRow.Failed, $"cannot be created: {why}", Fix(options, slot, driver, CompletionCode.DeviceNotReady));
                excluded.Add(slot);
            }
        }

        if (TryBuild(configuration, slot => !excluded.Contains(slot), contentRoot, out set, out var last))
        {
            return set;
        }

        foreach (var (slot, driver) in slots.Where(s => !rows.ContainsKey(s.Key)))
        {
            rows[slot] = Row(Bind(configuration), slot, driver, DeviceStatus.NoDevice, DeviceRow.Failed, $"the devices cannot be created: {last!.Message}",
                "check Kiosk:Devices:Simulation:DataFolder and the drivers' settings ('kioskctl config validate')");
        }

        return null;
    }

    /// <summary>Closes every device (serial ports, cameras, pins) within a bound, so a stuck driver cannot hang kioskctl.</summary>
    private static async Task CloseAsync(DeviceSet set)
    {
        try
        {
            await set.DisposeAsync().AsTask().WaitAsync(CloseBound).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The process is about to end, which closes whatever the driver still holds.
        }
    }

    /// <summary>A DeviceSet with the slots <paramref name="real"/> keeps as configured and every other slot simulated.</summary>
    private static bool TryBuild(IConfiguration configuration, Func<string, bool> real, string contentRoot, out DeviceSet? set, out Exception? error)
    {
        var options = Bind(configuration);
        foreach (var (slot, _) in options.Slots().ToList())
        {
            if (!real(slot))
            {
                SetDriver(options, slot, "Simulated");
            }
        }

        try
        {
            set = new DeviceSet(options, contentRoot, TimeProvider.System);
            error = null;
            return true;
        }
#pragma warning disable CA1031 // a driver that throws on construction is a failed row, whatever it throws
        catch (Exception ex)
#pragma warning restore CA1031
        {
            set = null;
            error = ex;
            return false;
        }
    }

    private static async Task<DeviceRow> ProbeOneAsync(IDevice device, DeviceOptions options, string slot, string driver, HealthCheckLevel level, CancellationToken cancellationToken)
    {
        try
        {
            var opened = await device.OpenAsync(cancellationToken).WaitAsync(OpenBound, cancellationToken).ConfigureAwait(false);
            if (!opened.IsSuccess)
            {
                // .NET reports a serial port that is not there as "access denied"; say what is really wrong.
                var missing = SerialPort(options, slot, driver) is { } port && port.StartsWith('/') && !File.Exists(port)
                    ? $"{port} does not exist ({opened.Description})"
                    : null;
                return Row(options, slot, driver, device.Status, DeviceRow.Failed, $"did not open: {missing ?? Describe(opened.Code, opened.Description, opened.DeviceError)}",
                    missing is null ? Fix(options, slot, driver, opened.Code) : $"plug the reader in, or set {SerialKey(slot)}:PortName to the port it is on (see 'serial ports' above; /dev/serial/by-id names do not change between boots)");
            }

            // Claim as the session would, to be sure nothing in this process holds it; release before the check,
            // because the hardware-touching health levels run only on a device nobody has claimed.
            var claim = await device.ClaimAsync(Owner, TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            if (!claim.IsSuccess)
            {
                return Row(options, slot, driver, device.Status, DeviceRow.Failed, $"could not be claimed: {Describe(claim.Code, claim.Description, claim.DeviceError)}", "another program holds it: stop the agent (or the other program) and probe again");
            }

            claim.Value!.Dispose();
            var health = await device.CheckHealthAsync(level, cancellationToken).WaitAsync(HealthBound, cancellationToken).ConfigureAwait(false);
            var model = device.Capabilities.Model;
            var answer = health.Description is "" or "ok" ? "" : $": {health.Description}";
            if (health.Healthy && device.Status == DeviceStatus.Online)
            {
                return Row(options, slot, driver, device.Status, DeviceRow.Ok, $"{model}{answer}", null);
            }

            if (health.Healthy || health.Code is CompletionCode.UserError or CompletionCode.NoMedia)
            {
                return Row(options, slot, driver, device.Status, DeviceRow.Degraded, $"{model}: the {level} check {(health.Healthy ? "passed" : $"ended {health.Code}")} but the device is {device.Status}{answer}", Fix(options, slot, driver, health.Code));
            }

            return Row(options, slot, driver, device.Status, DeviceRow.Failed, $"{level} health check: {Describe(health.Code, health.Description, null)}", Fix(options, slot, driver, health.Code));
        }
        catch (TimeoutException)
        {
            return Row(options, slot, driver, device.Status, DeviceRow.Failed, "no answer: the driver did not finish opening or checking in time", Fix(options, slot, driver, CompletionCode.Timeout));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Row(options, slot, driver, device.Status, DeviceRow.Failed, "the check was canceled", Fix(options, slot, driver, CompletionCode.Canceled));
        }
#pragma warning disable CA1031 // the HAL promises values, not exceptions; if a driver breaks that promise it is still one failed row
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return Row(options, slot, driver, device.Status, DeviceRow.Failed, $"the driver failed: {ex.GetType().Name}: {ex.Message}", Fix(options, slot, driver, CompletionCode.HardwareError));
        }
    }

    private static string Describe(CompletionCode code, string description, string? deviceError) =>
        $"{code}: {description}{(deviceError is null ? "" : $" [{deviceError}]")}";

    private static DeviceRow Row(DeviceOptions options, string slot, string driver, DeviceStatus status, string health, string detail, string? fix) =>
        new(slot, driver, Location(options, slot, driver), status.ToString(), health, detail, fix);

    /// <summary>The driver's settings section under Kiosk:Devices, or null for the simulator.</summary>
    private static string? Section(string slot, string driver) => (slot, driver) switch
    {
        (_, "Simulated") => null,
        ("DocumentCamera", "OpenCv") => "DocumentOpenCv",
        ("Indicators", "Gpio") => "GpioIndicators",
        ("Sensors", "Gpio") => "GpioSensors",
        _ => driver,
    };

    private static string Location(DeviceOptions o, string slot, string driver) => (slot, driver) switch
    {
        (_, "Simulated") => $"simulated (seed {o.Simulation.Seed})",
        ("FaceCamera", "OpenCv") => o.OpenCv.Source,
        ("DocumentCamera", "OpenCv") => o.DocumentOpenCv.Source,
        ("DocumentScanner", "Sane") => o.Sane.DeviceName is { Length: > 0 } name ? name : "the first scanner scanimage finds",
        ("DocumentScanner", "Escl") => o.Escl.BaseUri?.ToString() ?? "(Kiosk:Devices:Escl:BaseUri not set)",
        ("SignaturePad", "Evdev") => o.Evdev.DevicePath,
        ("FingerprintReader", "R30x") => $"{o.R30x.PortName} at {o.R30x.BaudRate} baud",
        ("IdCardReader", "Sam") => $"{o.Sam.PortName} at {o.Sam.BaudRate} baud",
        ("AudioRecorder", "Arecord") => o.Arecord.Command == "arecord" ? $"ALSA {o.Arecord.Device}" : $"{o.Arecord.Command} (in place of arecord)",
        ("AudioRecorder", "File") => o.File.Path,
        ("AudioPlayer", "Aplay") => o.Aplay.Command == "aplay" ? $"ALSA {o.Aplay.Device}" : $"{o.Aplay.Command} (in place of aplay)",
        ("Indicators", "Gpio") => string.Create(CultureInfo.InvariantCulture, $"GPIO ready {o.GpioIndicators.ReadyPin}, busy {o.GpioIndicators.BusyPin}, fault {o.GpioIndicators.FaultPin}, buzzer {o.GpioIndicators.BuzzerPin}"),
        ("Sensors", "Gpio") => string.Create(CultureInfo.InvariantCulture,
            $"GPIO call {o.GpioSensors.CallButtonPin}, door {o.GpioSensors.DoorPin}, tamper {(o.GpioSensors.TamperPin is { } t ? t.ToString(CultureInfo.InvariantCulture) : "none")}, presence {o.GpioSensors.PresencePin}{(o.ClimateSensorI2cBus is { } bus ? $", SHT4x on I2C bus {bus}" : "")}"),
        _ => driver,
    };

    /// <summary>What a technician does about a device that is not ok, by class, driver and how it failed.</summary>
    private static string Fix(DeviceOptions o, string slot, string driver, CompletionCode code)
    {
        var busy = code == CompletionCode.DeviceNotReady && !string.Equals(driver, "Simulated", StringComparison.Ordinal)
            ? " If the agent is running it may hold the device: stop it and probe again."
            : "";
        return (slot, driver) switch
        {
            (_, "Simulated") => "the simulator could not start: check Kiosk:Devices:Simulation:DataFolder holds the test data (tests/data/fetch-test-data.sh makes it)",
            ("FaceCamera" or "DocumentCamera", "OpenCv") => $"check the camera is plugged in (see 'cameras' above: a /dev/videoN path or its index) and Kiosk:Devices:{Section(slot, driver)}:Source; the kiosk's user must be in the 'video' group.{busy}",
            ("DocumentScanner", "Sane") => "check the scanner is on and listed by 'scanimage -L' (see 'scanners' above), then set Kiosk:Devices:Sane:DeviceName to its device name",
            ("DocumentScanner", "Escl") => $"check the scanner is on and reachable at {o.Escl.BaseUri?.ToString() ?? "Kiosk:Devices:Escl:BaseUri"} (its ScannerStatus page opens in a browser), and that Kiosk:Devices:Escl:BaseUri ends in /eSCL",
            ("SignaturePad", "Evdev") => $"check the pen tablet is plugged in and Kiosk:Devices:Evdev:DevicePath names it ({o.Evdev.DevicePath} now; ls -l /dev/input/by-id shows stable names); the kiosk's user must be in the 'input' group",
            ("FingerprintReader" or "IdCardReader", _) when code is CompletionCode.Timeout or CompletionCode.InvalidData or CompletionCode.HardwareError =>
                $"the port opens but the reader does not answer properly: check its power and cable, that {SerialKey(slot)}:PortName is the reader's port and not another device's, and the baud rate ({SerialKey(slot)}:BaudRate)",
            ("FingerprintReader" or "IdCardReader", _) =>
                $"check the reader is plugged in and {SerialKey(slot)}:PortName names its port (see 'serial ports' above; /dev/serial/by-id names do not change between boots); the kiosk's user must be in the 'dialout' group.{busy}",
            ("AudioRecorder", "Arecord") => $"check the microphone is plugged in and Kiosk:Devices:Arecord:Device names it (see 'audio' above: hw:CARD,DEVICE with capture), and that {o.Arecord.Command} is installed (alsa-utils)",
            ("AudioRecorder", "File") => "point Kiosk:Devices:File:Path at a readable 16-bit WAV file",
            ("AudioPlayer", "Aplay") => $"check the speaker is plugged in and Kiosk:Devices:Aplay:Device names it (see 'audio' above: a device with playback), and that {o.Aplay.Command} is installed (alsa-utils)",
            ("Indicators" or "Sensors", "Gpio") => $"check the GPIO chip is there (see 'GPIO chips' above), the pins in Kiosk:Devices:{Section(slot, driver)} match the wiring, and the kiosk's user may use /dev/gpiochip* (the 'gpio' group)",
            _ => $"check the device and the settings under Kiosk:Devices:{Section(slot, driver)}",
        };
    }

    private static string? SerialPort(DeviceOptions o, string slot, string driver) => (slot, driver) switch
    {
        ("IdCardReader", "Sam") => o.Sam.PortName,
        ("FingerprintReader", "R30x") => o.R30x.PortName,
        _ => null,
    };

    private static string SerialKey(string slot) => slot == "IdCardReader" ? "Kiosk:Devices:Sam" : "Kiosk:Devices:R30x";

    private static void SetDriver(DeviceOptions options, string slot, string driver)
    {
        switch (slot)
        {
            case nameof(DeviceOptions.FaceCamera): options.FaceCamera = driver; break;
            case nameof(DeviceOptions.DocumentCamera): options.DocumentCamera = driver; break;
            case nameof(DeviceOptions.DocumentScanner): options.DocumentScanner = driver; break;
            case nameof(DeviceOptions.SignaturePad): options.SignaturePad = driver; break;
            case nameof(DeviceOptions.FingerprintReader): options.FingerprintReader = driver; break;
            case nameof(DeviceOptions.IdCardReader): options.IdCardReader = driver; break;
            case nameof(DeviceOptions.AudioRecorder): options.AudioRecorder = driver; break;
            case nameof(DeviceOptions.AudioPlayer): options.AudioPlayer = driver; break;
            case nameof(DeviceOptions.Indicators): options.Indicators = driver; break;
            case nameof(DeviceOptions.Sensors): options.Sensors = driver; break;
            default: throw new ArgumentOutOfRangeException(nameof(slot), slot, "not a device class of Kiosk:Devices");
        }
    }
}
