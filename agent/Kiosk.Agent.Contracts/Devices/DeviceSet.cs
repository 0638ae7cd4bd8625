using Kiosk.Devices;
using Kiosk.Devices.Drivers;

namespace Kiosk.Agent.Devices;

/// <summary>
/// The kiosk's devices, one per class, built from a <see cref="DeviceSelection"/>. A class the kiosk does not have is
/// an <see cref="UnavailableDevice"/> that is not fitted (left out of <see cref="All"/>); a configured driver that
/// cannot even be built is an <see cref="UnavailableDevice"/> that reports why, so the agent still starts and drains.
/// Thread safety: the set is immutable after construction; the devices are thread-safe (see <see cref="IDevice"/>).
/// </summary>
public sealed class DeviceSet : IAsyncDisposable
{
    /// <summary>Built in this order, so a driver finds the devices it leans on (the signature pad, the fingerprint reader).</summary>
    private static readonly DeviceClass[] BuildOrder =
    [
        DeviceClass.FaceCamera, DeviceClass.DocumentCamera, DeviceClass.DocumentScanner, DeviceClass.FingerprintReader, DeviceClass.SignaturePad,
        DeviceClass.IdCardReader, DeviceClass.AudioRecorder, DeviceClass.AudioPlayer, DeviceClass.Indicators, DeviceClass.Sensors,
    ];

    private readonly Dictionary<DeviceClass, IDevice> _devices = [];
    private readonly Dictionary<string, IDisposable> _shared = new(StringComparer.Ordinal);
    private readonly List<string> _unavailable = [];

    public DeviceSet(DeviceSelection selection, string contentRoot, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(selection);
        Selection = selection;
        foreach (var deviceClass in BuildOrder)
        {
            var choice = selection[deviceClass];
            var context = new Context(this, choice.DeviceName, timeProvider, contentRoot);
            _devices[deviceClass] = choice.Configured is { } driver
                ? Build(choice, driver, context, timeProvider)
                : UnavailableDevice.NotFitted(choice.DeviceName, deviceClass, timeProvider);
            if (deviceClass == DeviceClass.FaceCamera)
            {
                FaceMatcher = BuildMatcher(choice, context);
            }
        }

        All = [.. Enum.GetValues<DeviceClass>().Select(c => _devices[c]).Where(d => d is not UnavailableDevice { IsFitted: false })];
    }

    /// <summary>What the configuration chose, with each driver's location and fixes.</summary>
    public DeviceSelection Selection { get; }

    /// <summary>Devices whose driver could not be built (each reports NoDevice with the reason).</summary>
    public IReadOnlyList<string> Unavailable => _unavailable;

    public IFaceCamera FaceCamera => (IFaceCamera)_devices[DeviceClass.FaceCamera];
    public IDocumentCamera DocumentCamera => (IDocumentCamera)_devices[DeviceClass.DocumentCamera];
    public IDocumentScanner DocumentScanner => (IDocumentScanner)_devices[DeviceClass.DocumentScanner];
    public ISignaturePad SignaturePad => (ISignaturePad)_devices[DeviceClass.SignaturePad];
    public IFingerprintReader FingerprintReader => (IFingerprintReader)_devices[DeviceClass.FingerprintReader];
    public IIdCardReader IdCardReader => (IIdCardReader)_devices[DeviceClass.IdCardReader];
    public IAudioRecorder AudioRecorder => (IAudioRecorder)_devices[DeviceClass.AudioRecorder];
    public IAudioPlayer AudioPlayer => (IAudioPlayer)_devices[DeviceClass.AudioPlayer];
    public IIndicators Indicators => (IIndicators)_devices[DeviceClass.Indicators];
    public ISensors Sensors => (ISensors)_devices[DeviceClass.Sensors];

    /// <summary>The 1:1 matcher of the face camera's driver; one that never matches when the kiosk has none.</summary>
    public IFaceMatcher FaceMatcher { get; private set; } = UnavailableFaceMatcher.NoCamera;

    /// <summary>The fitted devices, in <see cref="DeviceClass"/> order.</summary>
    public IReadOnlyList<IDevice> All { get; }

    /// <summary>Every device of the kiosk's classes, fitted or not.</summary>
    public IDevice Get(DeviceClass deviceClass) => _devices[deviceClass];

    private IDevice Build(DeviceChoice choice, ConfiguredDriver driver, DriverContext context, TimeProvider timeProvider)
    {
        try
        {
            var device = driver.Create(context);
            return device.DeviceClass == choice.DeviceClass
                ? device
                : throw new InvalidOperationException($"the {choice.Driver} driver built a {device.DeviceClass}, not a {choice.DeviceClass}");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _unavailable.Add(choice.DeviceName);
            return UnavailableDevice.CannotBuild(choice.DeviceName, choice.DeviceClass, choice.Driver, driver.Descriptor.Sections, ex, timeProvider);
        }
    }

    private static IFaceMatcher BuildMatcher(DeviceChoice choice, DriverContext context)
    {
        if (choice.Configured is not { } driver)
        {
            return UnavailableFaceMatcher.NoCamera;
        }

        try
        {
            return driver.CreateFaceMatcher(context) ?? new UnavailableFaceMatcher($"the {choice.Driver} face camera has no 1:1 matcher");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new UnavailableFaceMatcher($"the {choice.Driver} face matcher could not be started ({ex.Message})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var device in _devices.Values)
        {
            await device.DisposeAsync().ConfigureAwait(false);
        }

        (FaceMatcher as IDisposable)?.Dispose();
        foreach (var resource in _shared.Values)
        {
            resource.Dispose();
        }
    }

    private sealed class Context(DeviceSet set, string deviceName, TimeProvider timeProvider, string contentRoot)
        : DriverContext(deviceName, timeProvider, contentRoot)
    {
        public override T? Device<T>()
            where T : class => set._devices.Values.Where(d => d is not UnavailableDevice).OfType<T>().FirstOrDefault();

        public override T SharedResource<T>(string key, Func<T> create)
            where T : class
        {
            ArgumentNullException.ThrowIfNull(create);
            if (set._shared.TryGetValue(key, out var existing))
            {
                return (T)existing;
            }

            var created = create();
            set._shared[key] = created;
            return created;
        }
    }
}
