using Kiosk.Devices.Drivers;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// <c>Kiosk:Devices:&lt;Class&gt;=Simulated</c> for every device class, with the settings they share in
/// <c>Kiosk:Devices:Simulation</c> (seed, test-data folder, operation delay, live capture duration). Registered only by the demo and test hosts;
/// the production host does not know them, and the production profile refuses them.
/// </summary>
public static class SimulatedDrivers
{
    public const string Name = "Simulated";

    /// <summary>Where the test data is when <c>Kiosk:Devices:Simulation:DataFolder</c> is not set (relative to the content root).</summary>
    public const string DefaultDataFolder = ".cache/test-data";

    public static IReadOnlyList<DriverDescriptor> All { get; } =
    [
        For(DeviceClass.FaceCamera, (name, o, time) => new SimulatedFaceCamera(name, o, time), o => new SimulatedFaceMatcher(o)),
        For(DeviceClass.DocumentCamera, (name, o, time) => new SimulatedDocumentCamera(name, o, time)),
        For(DeviceClass.DocumentScanner, (name, o, time) => new SimulatedDocumentScanner(name, o, time)),
        For(DeviceClass.SignaturePad, (name, o, time) => new SimulatedSignaturePad(name, o, time)),
        For(DeviceClass.FingerprintReader, (name, o, time) => new SimulatedFingerprintReader(name, o, time)),
        For(DeviceClass.IdCardReader, (name, o, time) => new SimulatedIdCardReader(name, o, time)),
        For(DeviceClass.AudioRecorder, (name, o, time) => new SimulatedAudioRecorder(name, o, time)),
        For(DeviceClass.AudioPlayer, (name, o, time) => new SimulatedAudioPlayer(name, o, time)),
        For(DeviceClass.Indicators, (name, o, time) => new SimulatedIndicators(name, o, time)),
        For(DeviceClass.Sensors, (name, o, time) => new SimulatedSensors(name, o, time)),
    ];

    private static Driver<SimulationOptions> For(DeviceClass deviceClass, Func<string, SimulationOptions, TimeProvider, IDevice> create, Func<SimulationOptions, IFaceMatcher>? matcher = null) =>
        new(deviceClass, Name, ["Simulation"], isSimulated: true)
        {
            Read = s => s.Bind<SimulationOptions>("Simulation"),
            Validate = o => o.Problems(),
            Create = (o, context) => create(context.DeviceName, Resolved(o, context), context.TimeProvider),
            CreateFaceMatcher = matcher is null ? null : (o, context) => matcher(Resolved(o, context)),
            Location = o => $"simulated (seed {o.Seed})",
            Fix = (_, _) => "the simulator could not start: check Kiosk:Devices:Simulation:DataFolder holds the test data (tests/data/fetch-test-data.sh makes it)",
        };

    private static SimulationOptions Resolved(SimulationOptions options, DriverContext context) => new()
    {
        Seed = options.Seed,
        DataFolder = Path.GetFullPath(string.IsNullOrWhiteSpace(options.DataFolder) ? DefaultDataFolder : options.DataFolder, context.ContentRoot),
        OperationDelay = options.OperationDelay,
        LiveCaptureDuration = options.LiveCaptureDuration,
        SpeakUntilFinished = options.SpeakUntilFinished,
    };
}
