using Kiosk.Devices.Audio;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Devices.FaceCamera;
using Kiosk.Devices.FingerprintReader;
using Kiosk.Devices.Gpio;
using Kiosk.Devices.IdCardReader;
using Kiosk.Devices.SignaturePad;

namespace Kiosk.Agent.Devices;

/// <summary>
/// Configuration section <c>Kiosk:Devices</c>: which implementation backs each device class (<c>Simulated</c> or a
/// real driver), and each real driver's settings in <c>Kiosk:Devices:&lt;Driver&gt;</c> (e.g. <c>Kiosk:Devices:Sam:PortName</c>).
/// </summary>
public sealed class DeviceOptions
{
    /// <summary>The implementations each device class accepts; the first is the default.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Drivers = new Dictionary<string, IReadOnlyList<string>>
    {
        [nameof(FaceCamera)] = ["Simulated", "OpenCv"],
        [nameof(DocumentCamera)] = ["Simulated", "OpenCv"],
        [nameof(DocumentScanner)] = ["Simulated", "Sane", "Escl"],
        [nameof(SignaturePad)] = ["Simulated", "Evdev"],
        [nameof(FingerprintReader)] = ["Simulated", "R30x"],
        [nameof(IdCardReader)] = ["Simulated", "Sam"],
        [nameof(AudioRecorder)] = ["Simulated", "Arecord", "File"],
        [nameof(AudioPlayer)] = ["Simulated", "Aplay"],
        [nameof(Indicators)] = ["Simulated", "Gpio"],
        [nameof(Sensors)] = ["Simulated", "Gpio"],
    };

    public string FaceCamera { get; set; } = "Simulated";
    public string DocumentCamera { get; set; } = "Simulated";
    public string DocumentScanner { get; set; } = "Simulated";
    public string SignaturePad { get; set; } = "Simulated";
    public string FingerprintReader { get; set; } = "Simulated";
    public string IdCardReader { get; set; } = "Simulated";
    public string AudioRecorder { get; set; } = "Simulated";
    public string AudioPlayer { get; set; } = "Simulated";
    public string Indicators { get; set; } = "Simulated";
    public string Sensors { get; set; } = "Simulated";

    /// <summary>Settings of the simulated devices (<c>Kiosk:Devices:Simulation</c>).</summary>
    public SimulationSettings Simulation { get; set; } = new();

    /// <summary>Face camera through OpenCV's VideoCapture (<c>Kiosk:Devices:OpenCv</c>); its matcher is <see cref="FaceMatcher"/>.</summary>
    public FaceCameraOptions OpenCv { get; set; } = new();

    /// <summary>The local 1:1 pre-check used with the OpenCV camera (<c>Kiosk:Devices:FaceMatcher</c>).</summary>
    public FaceMatcherOptions FaceMatcher { get; set; } = new();

    /// <summary>Document camera through OpenCV (<c>Kiosk:Devices:DocumentOpenCv</c>).</summary>
    public DocumentCameraOptions DocumentOpenCv { get; set; } = new();

    /// <summary>Duplex scanner through SANE's scanimage (<c>Kiosk:Devices:Sane</c>).</summary>
    public SaneScannerOptions Sane { get; set; } = new();

    /// <summary>Driverless network or IPP-over-USB scanner through eSCL (<c>Kiosk:Devices:Escl</c>).</summary>
    public EsclScannerOptions Escl { get; set; } = new();

    /// <summary>GA/T 467 SAM ID card reader on a serial port (<c>Kiosk:Devices:Sam</c>).</summary>
    public SamIdCardReaderOptions Sam { get; set; } = new();

    /// <summary>R30x/ZFM/AS608 fingerprint module on a serial port (<c>Kiosk:Devices:R30x</c>).</summary>
    public R30xFingerprintReaderOptions R30x { get; set; } = new();

    /// <summary>ALSA capture through arecord (<c>Kiosk:Devices:Arecord</c>).</summary>
    public ArecordAudioRecorderOptions Arecord { get; set; } = new();

    /// <summary>A WAV file played as the microphone (<c>Kiosk:Devices:File</c>), for demos and bench tests.</summary>
    public FileAudioRecorderOptions File { get; set; } = new();

    /// <summary>ALSA playback through aplay (<c>Kiosk:Devices:Aplay</c>).</summary>
    public AplayAudioPlayerOptions Aplay { get; set; } = new();

    /// <summary>A pen digitiser read as Linux input events (<c>Kiosk:Devices:Evdev</c>); fingerprints go to the fingerprint reader.</summary>
    public EvdevSignaturePadOptions Evdev { get; set; } = new();

    /// <summary>LEDs and buzzer on GPIO pins (<c>Kiosk:Devices:GpioIndicators</c>).</summary>
    public GpioIndicatorsOptions GpioIndicators { get; set; } = new();

    /// <summary>Call button, door, tamper and presence on GPIO pins (<c>Kiosk:Devices:GpioSensors</c>).</summary>
    public GpioSensorsOptions GpioSensors { get; set; } = new();

    /// <summary>I2C bus of the enclosure SHT4x climate sensor (address 0x44); null when none is fitted.</summary>
    public int? ClimateSensorI2cBus { get; set; }

    public IEnumerable<(string Key, string Driver)> Slots()
    {
        yield return (nameof(FaceCamera), FaceCamera);
        yield return (nameof(DocumentCamera), DocumentCamera);
        yield return (nameof(DocumentScanner), DocumentScanner);
        yield return (nameof(SignaturePad), SignaturePad);
        yield return (nameof(FingerprintReader), FingerprintReader);
        yield return (nameof(IdCardReader), IdCardReader);
        yield return (nameof(AudioRecorder), AudioRecorder);
        yield return (nameof(AudioPlayer), AudioPlayer);
        yield return (nameof(Indicators), Indicators);
        yield return (nameof(Sensors), Sensors);
    }

    /// <summary>Each chosen real driver's own settings check, as "key: problem" lines.</summary>
    public IEnumerable<string> DriverProblems()
    {
        if (FaceCamera == "OpenCv" && OpenCv.Validate() is { Count: > 0 } face)
        {
            yield return $"Kiosk:Devices:OpenCv: {string.Join("; ", face)}";
        }

        if (DocumentCamera == "OpenCv" && DocumentOpenCv.Validate() is { Count: > 0 } document)
        {
            yield return $"Kiosk:Devices:DocumentOpenCv: {string.Join("; ", document)}";
        }

        if (IdCardReader == "Sam" && Problem(Sam.Validate) is { } sam)
        {
            yield return $"Kiosk:Devices:Sam: {sam}";
        }

        if (FingerprintReader == "R30x" && Problem(R30x.Validate) is { } r30x)
        {
            yield return $"Kiosk:Devices:R30x: {r30x}";
        }

        if (AudioRecorder == "Arecord" && Arecord.Validate() is { } arecord)
        {
            yield return $"Kiosk:Devices:Arecord: {arecord}";
        }

        if (AudioRecorder == "File" && !System.IO.File.Exists(File.Path))
        {
            yield return $"Kiosk:Devices:File:Path '{File.Path}' does not exist: point it at a 16-bit WAV recording.";
        }

        if (AudioPlayer == "Aplay" && Aplay.Validate() is { } aplay)
        {
            yield return $"Kiosk:Devices:Aplay: {aplay}";
        }

        if (SignaturePad == "Evdev" && Evdev.Validate() is { } evdev)
        {
            yield return $"Kiosk:Devices:Evdev: {evdev}";
        }

        if (Indicators == "Gpio" && GpioIndicators.Validate() is { } indicators)
        {
            yield return $"Kiosk:Devices:GpioIndicators: {indicators}";
        }

        if (Sensors == "Gpio" && GpioSensors.Validate() is { } sensors)
        {
            yield return $"Kiosk:Devices:GpioSensors: {sensors}";
        }
    }

    /// <summary>The serial drivers' option checks throw with every problem in one message.</summary>
    private static string? Problem(Action validate)
    {
        try
        {
            validate();
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}

public sealed class SimulationSettings
{
    public int Seed { get; set; } = 1;

    /// <summary>Photographs, pages and speech for the simulators; made by tests/data/fetch-test-data.sh.</summary>
    public string DataFolder { get; set; } = ".cache/test-data";

    public TimeSpan OperationDelay { get; set; } = TimeSpan.FromMilliseconds(30);
}
