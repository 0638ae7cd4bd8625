using Kiosk.Devices;

namespace Kiosk.Agent.Devices;

/// <summary>
/// Stands in for a device the kiosk cannot use: one it does not have (<see cref="NotFitted"/>, <c>Kiosk:Devices:&lt;Class&gt;</c>
/// is None), or a configured one whose driver could not even be built (<see cref="CannotBuild"/>: its device node is
/// missing, no GPIO chip, no permission). The agent still starts, so the outbox keeps draining and the platform hears
/// about the problem, instead of the service dying and restarting in a loop. It reports <see cref="DeviceStatus.NoDevice"/>,
/// fails to open and answers every operation with <see cref="CompletionCode.DeviceNotReady"/> saying why and what to
/// check; <c>kioskctl probe</c> and <c>/api/status</c> show the same.
/// </summary>
public sealed class UnavailableDevice
    : DeviceBase, IFaceCamera, IDocumentCamera, IDocumentScanner, ISignaturePad, IFingerprintReader, IIdCardReader, IAudioRecorder, IAudioPlayer, IIndicators, ISensors
{
    private readonly string _why;

    private UnavailableDevice(string name, DeviceClass deviceClass, string model, string why, bool isFitted, TimeProvider timeProvider)
        : base(name, deviceClass, timeProvider)
    {
        _why = why;
        IsFitted = isFitted;
        Capabilities = new DeviceCapabilities { Model = model };
        SetStatus(DeviceStatus.NoDevice, _why);
    }

    /// <summary>The kiosk has no device of this class.</summary>
    public static UnavailableDevice NotFitted(string name, DeviceClass deviceClass, TimeProvider timeProvider) =>
        new(name, deviceClass, "none", $"{name}: this kiosk has no {deviceClass} (Kiosk:Devices:{deviceClass} is None); set it to the driver of the device when one is fitted", isFitted: false, timeProvider);

    /// <summary>The configured driver threw while it was being built.</summary>
    public static UnavailableDevice CannotBuild(string name, DeviceClass deviceClass, string driver, IReadOnlyList<string> sections, Exception error, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(sections);
        var settings = sections.Count == 0 ? $"Kiosk:Devices:{deviceClass}" : string.Join(" and ", sections.Select(s => "Kiosk:Devices:" + s));
        return new(name, deviceClass, $"{driver} (unavailable)",
            $"{name}: the {driver} driver could not be started ({Redact.Credentials(error.Message)}); check {settings} and that the device is connected and readable by the service user, then restart the agent",
            isFitted: true, timeProvider);
    }

    /// <summary>False when the kiosk simply has no such device (then it is not listed among the kiosk's devices).</summary>
    public bool IsFitted { get; }

    /// <summary>Why the device cannot be used, and what to do.</summary>
    public string Why => _why;

    public override DeviceCapabilities Capabilities { get; }

    event EventHandler<SensorSnapshot>? ISensors.Changed
    {
        add { }
        remove { }
    }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken) => Fail<Done>();

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) => Fail<Done>();

    public Task<DeviceResult<FaceCapture>> CaptureFaceAsync(DeviceClaim claim, FaceCaptureRequest request, CancellationToken cancellationToken) => Fail<FaceCapture>();

    public Task<DeviceResult<DocumentPage>> CaptureDocumentAsync(DeviceClaim claim, DocumentCaptureRequest request, CancellationToken cancellationToken) => Fail<DocumentPage>();

    public Task<DeviceResult<ScanBatch>> ScanAsync(DeviceClaim claim, ScanRequest request, CancellationToken cancellationToken) => Fail<ScanBatch>();

    public Task<DeviceResult<SignatureCapture>> CaptureSignatureAsync(DeviceClaim claim, SignatureRequest request, CancellationToken cancellationToken) => Fail<SignatureCapture>();

    public Task<DeviceResult<FingerprintCapture>> CaptureFingerprintAsync(DeviceClaim claim, FingerprintRequest request, CancellationToken cancellationToken) => Fail<FingerprintCapture>();

    public Task<DeviceResult<IdCardData>> ReadCardAsync(DeviceClaim claim, IdCardReadRequest request, CancellationToken cancellationToken) => Fail<IdCardData>();

    public Task<DeviceResult<AudioClip>> RecordAsync(DeviceClaim claim, AudioRecordRequest request, CancellationToken cancellationToken) => Fail<AudioClip>();

    public Task<DeviceResult<Done>> PlayAsync(DeviceClaim claim, AudioPrompt prompt, CancellationToken cancellationToken) => Fail<Done>();

    public Task<DeviceResult<Done>> SetAsync(DeviceClaim claim, Indicator indicator, IndicatorPattern pattern, CancellationToken cancellationToken) => Fail<Done>();

    public Task<DeviceResult<SensorSnapshot>> ReadAsync(CancellationToken cancellationToken) => Fail<SensorSnapshot>();

    private Task<DeviceResult<T>> Fail<T>() => Task.FromResult(DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, _why));
}
