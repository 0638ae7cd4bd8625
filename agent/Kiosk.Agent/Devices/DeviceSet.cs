using Kiosk.Devices;
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

        // Only "Simulated" exists yet; options validation has already refused anything else, naming the key.
        FaceCamera = new SimulatedFaceCamera("faceCamera", simulation, timeProvider);
        DocumentCamera = new SimulatedDocumentCamera("documentCamera", simulation, timeProvider);
        DocumentScanner = new SimulatedDocumentScanner("documentScanner", simulation, timeProvider);
        SignaturePad = new SimulatedSignaturePad("signaturePad", simulation, timeProvider);
        FingerprintReader = new SimulatedFingerprintReader("fingerprintReader", simulation, timeProvider);
        IdCardReader = new SimulatedIdCardReader("idCardReader", simulation, timeProvider);
        AudioRecorder = new SimulatedAudioRecorder("audioRecorder", simulation, timeProvider);
        AudioPlayer = new SimulatedAudioPlayer("audioPlayer", simulation, timeProvider);
        Indicators = new SimulatedIndicators("indicators", simulation, timeProvider);
        Sensors = new SimulatedSensors("sensors", simulation, timeProvider);
        FaceMatcher = new SimulatedFaceMatcher(simulation);
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

    public async ValueTask DisposeAsync()
    {
        foreach (var device in All)
        {
            await device.DisposeAsync().ConfigureAwait(false);
        }
    }
}
