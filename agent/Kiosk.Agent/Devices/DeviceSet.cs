using Kiosk.Devices;
using System.Device.Gpio;
using System.Device.I2c;
using Kiosk.Devices.Audio;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Devices.FaceCamera;
using Kiosk.Devices.Gpio;
using Kiosk.Devices.SignaturePad;
using Kiosk.Devices.FingerprintReader;
using Kiosk.Devices.IdCardReader;
using Kiosk.Devices.Simulated;

namespace Kiosk.Agent.Devices;

/// <summary>
/// The kiosk's devices, one per class, built from <see cref="DeviceOptions"/>.
/// Thread safety: the set is immutable after construction; the devices are thread-safe (see <see cref="IDevice"/>).
/// </summary>
public sealed class DeviceSet : IAsyncDisposable
{
    public DeviceSet(DeviceOptions options, string dataFolderBase, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _timeProvider = timeProvider;
        var simulation = new SimulationOptions
        {
            Seed = options.Simulation.Seed,
            DataFolder = Path.GetFullPath(options.Simulation.DataFolder, dataFolderBase),
            OperationDelay = options.Simulation.OperationDelay,
        };

        // Options validation has already refused unknown driver names, naming the key.
        FaceCamera = options.FaceCamera switch
        {
            "OpenCv" => Build<IFaceCamera>("faceCamera", DeviceClass.FaceCamera, "OpenCv", () => new OpenCvFaceCamera("faceCamera", options.OpenCv, timeProvider)),
            _ => new SimulatedFaceCamera("faceCamera", simulation, timeProvider),
        };
        DocumentCamera = options.DocumentCamera switch
        {
            "OpenCv" => Build<IDocumentCamera>("documentCamera", DeviceClass.DocumentCamera, "DocumentOpenCv", () => new OpenCvDocumentCamera("documentCamera", options.DocumentOpenCv, timeProvider)),
            _ => new SimulatedDocumentCamera("documentCamera", simulation, timeProvider),
        };
        DocumentScanner = options.DocumentScanner switch
        {
            "Sane" => Build<IDocumentScanner>("documentScanner", DeviceClass.DocumentScanner, "Sane", () => new SaneScanner("documentScanner", options.Sane, timeProvider)),
            "Escl" => Build<IDocumentScanner>("documentScanner", DeviceClass.DocumentScanner, "Escl", () => new EsclScanner("documentScanner", options.Escl, timeProvider)),
            _ => new SimulatedDocumentScanner("documentScanner", simulation, timeProvider),
        };
        FingerprintReader = options.FingerprintReader switch
        {
            "R30x" => Build<IFingerprintReader>("fingerprintReader", DeviceClass.FingerprintReader, "R30x", () => new R30xFingerprintReader("fingerprintReader", options.R30x, timeProvider)),
            _ => new SimulatedFingerprintReader("fingerprintReader", simulation, timeProvider),
        };
        SignaturePad = options.SignaturePad switch
        {
            // A pen digitiser has no fingerprint sensor of its own: the kiosk's fingerprint reader takes that part.
            "Evdev" => Build<ISignaturePad>("signaturePad", DeviceClass.SignaturePad, "Evdev", () => EvdevSignaturePad.OpenDevice("signaturePad", options.Evdev, timeProvider, FingerprintReader)),
            _ => new SimulatedSignaturePad("signaturePad", simulation, timeProvider),
        };
        IdCardReader = options.IdCardReader switch
        {
            "Sam" => Build<IIdCardReader>("idCardReader", DeviceClass.IdCardReader, "Sam", () => new SamIdCardReader("idCardReader", options.Sam, timeProvider)),
            _ => new SimulatedIdCardReader("idCardReader", simulation, timeProvider),
        };
        AudioRecorder = options.AudioRecorder switch
        {
            "Arecord" => Build<IAudioRecorder>("audioRecorder", DeviceClass.AudioRecorder, "Arecord", () => new ArecordAudioRecorder("audioRecorder", options.Arecord, timeProvider)),
            "File" => Build<IAudioRecorder>("audioRecorder", DeviceClass.AudioRecorder, "File", () => new FileAudioRecorder("audioRecorder", options.File, timeProvider)),
            _ => new SimulatedAudioRecorder("audioRecorder", simulation, timeProvider),
        };
        AudioPlayer = options.AudioPlayer switch
        {
            "Aplay" => Build<IAudioPlayer>("audioPlayer", DeviceClass.AudioPlayer, "Aplay", () => new AplayAudioPlayer("audioPlayer", options.Aplay, timeProvider)),
            _ => new SimulatedAudioPlayer("audioPlayer", simulation, timeProvider),
        };
        Exception? gpioError = null;
        if (options.Indicators == "Gpio" || options.Sensors == "Gpio")
        {
            // One controller for the board; each driver closes only its own pins.
            try
            {
                _gpio = new GpioController();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                gpioError = new IOException($"no GPIO controller: {ex.Message}", ex);
            }
        }

        Indicators = options.Indicators switch
        {
            "Gpio" => Build<IIndicators>("indicators", DeviceClass.Indicators, "GpioIndicators", () => new GpioIndicators("indicators", _gpio ?? throw gpioError!, options.GpioIndicators, timeProvider, shouldDispose: false)),
            _ => new SimulatedIndicators("indicators", simulation, timeProvider),
        };
        Sensors = options.Sensors switch
        {
            "Gpio" => Build<ISensors>("sensors", DeviceClass.Sensors, "GpioSensors", () => new GpioSensors("sensors", _gpio ?? throw gpioError!, options.GpioSensors, timeProvider, ClimateSensor(options.ClimateSensorI2cBus), shouldDispose: false)),
            _ => new SimulatedSensors("sensors", simulation, timeProvider),
        };
        FaceMatcher = options.FaceCamera switch
        {
            "OpenCv" => new OpenCvFaceMatcher(options.FaceMatcher),
            _ => new SimulatedFaceMatcher(simulation),
        };
        All = [FaceCamera, DocumentCamera, DocumentScanner, SignaturePad, FingerprintReader, IdCardReader, AudioRecorder, AudioPlayer, Indicators, Sensors];
    }

    /// <summary>Builds a real driver; one that cannot even be built becomes an <see cref="UnavailableDevice"/> (see there).</summary>
    private T Build<T>(string name, DeviceClass deviceClass, string driver, Func<T> create)
        where T : class, IDevice
    {
        try
        {
            return create();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var unavailable = new UnavailableDevice(name, deviceClass, driver, ex, _timeProvider);
            _unavailable.Add(unavailable.Name);
            return (T)(object)unavailable;
        }
    }

    /// <summary>Devices whose driver could not be built (each reports NoDevice with the reason).</summary>
    public IReadOnlyList<string> Unavailable => _unavailable;

    private readonly List<string> _unavailable = [];
    private readonly TimeProvider _timeProvider;

    public IFaceCamera FaceCamera { get; }
    public IDocumentCamera DocumentCamera { get; }
    public IDocumentScanner DocumentScanner { get; }
    public ISignaturePad SignaturePad { get; }
    public IFingerprintReader FingerprintReader { get; }
    public IIdCardReader IdCardReader { get; }
    public IAudioRecorder AudioRecorder { get; }
    public IAudioPlayer AudioPlayer { get; }
    public IIndicators Indicators { get; }
    public ISensors Sensors { get; }
    public IFaceMatcher FaceMatcher { get; }

    public IReadOnlyList<IDevice> All { get; }

    private readonly GpioController? _gpio;

    /// <summary>The enclosure's SHT4x on I2C address 0x44 (its datasheet's default), when a bus is configured.</summary>
    private static I2cDevice? ClimateSensor(int? bus) => bus is { } id ? I2cDevice.Create(new I2cConnectionSettings(id, 0x44)) : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var device in All)
        {
            await device.DisposeAsync().ConfigureAwait(false);
        }

        _gpio?.Dispose();
    }
}
