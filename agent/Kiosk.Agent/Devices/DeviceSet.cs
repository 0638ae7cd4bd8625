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
        var simulation = new SimulationOptions
        {
            Seed = options.Simulation.Seed,
            DataFolder = Path.GetFullPath(options.Simulation.DataFolder, dataFolderBase),
            OperationDelay = options.Simulation.OperationDelay,
        };

        // Options validation has already refused unknown driver names, naming the key.
        FaceCamera = options.FaceCamera switch
        {
            "OpenCv" => new OpenCvFaceCamera("faceCamera", options.OpenCv, timeProvider),
            _ => new SimulatedFaceCamera("faceCamera", simulation, timeProvider),
        };
        DocumentCamera = options.DocumentCamera switch
        {
            "OpenCv" => new OpenCvDocumentCamera("documentCamera", options.DocumentOpenCv, timeProvider),
            _ => new SimulatedDocumentCamera("documentCamera", simulation, timeProvider),
        };
        DocumentScanner = options.DocumentScanner switch
        {
            "Sane" => new SaneScanner("documentScanner", options.Sane, timeProvider),
            "Escl" => new EsclScanner("documentScanner", options.Escl, timeProvider),
            _ => new SimulatedDocumentScanner("documentScanner", simulation, timeProvider),
        };
        FingerprintReader = options.FingerprintReader switch
        {
            "R30x" => new R30xFingerprintReader("fingerprintReader", options.R30x, timeProvider),
            _ => new SimulatedFingerprintReader("fingerprintReader", simulation, timeProvider),
        };
        SignaturePad = options.SignaturePad switch
        {
            // A pen digitiser has no fingerprint sensor of its own: the kiosk's fingerprint reader takes that part.
            "Evdev" => EvdevSignaturePad.OpenDevice("signaturePad", options.Evdev, timeProvider, FingerprintReader),
            _ => new SimulatedSignaturePad("signaturePad", simulation, timeProvider),
        };
        IdCardReader = options.IdCardReader switch
        {
            "Sam" => new SamIdCardReader("idCardReader", options.Sam, timeProvider),
            _ => new SimulatedIdCardReader("idCardReader", simulation, timeProvider),
        };
        AudioRecorder = options.AudioRecorder switch
        {
            "Arecord" => new ArecordAudioRecorder("audioRecorder", options.Arecord, timeProvider),
            "File" => new FileAudioRecorder("audioRecorder", options.File, timeProvider),
            _ => new SimulatedAudioRecorder("audioRecorder", simulation, timeProvider),
        };
        AudioPlayer = options.AudioPlayer switch
        {
            "Aplay" => new AplayAudioPlayer("audioPlayer", options.Aplay, timeProvider),
            _ => new SimulatedAudioPlayer("audioPlayer", simulation, timeProvider),
        };
        if (options.Indicators == "Gpio" || options.Sensors == "Gpio")
        {
            // One controller for the board; each driver closes only its own pins.
            _gpio = new GpioController();
        }

        Indicators = options.Indicators switch
        {
            "Gpio" => new GpioIndicators("indicators", _gpio!, options.GpioIndicators, timeProvider, shouldDispose: false),
            _ => new SimulatedIndicators("indicators", simulation, timeProvider),
        };
        Sensors = options.Sensors switch
        {
            "Gpio" => new GpioSensors("sensors", _gpio!, options.GpioSensors, timeProvider, ClimateSensor(options.ClimateSensorI2cBus), shouldDispose: false),
            _ => new SimulatedSensors("sensors", simulation, timeProvider),
        };
        FaceMatcher = options.FaceCamera switch
        {
            "OpenCv" => new OpenCvFaceMatcher(options.FaceMatcher),
            _ => new SimulatedFaceMatcher(simulation),
        };
        All = [FaceCamera, DocumentCamera, DocumentScanner, SignaturePad, FingerprintReader, IdCardReader, AudioRecorder, AudioPlayer, Indicators, Sensors];
    }

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
