using Kiosk.Devices;

namespace Kiosk.Agent.Devices;

/// <summary>
/// Stands in for a configured device whose driver could not even be built (its device node is missing, no GPIO chip,
/// no permission): the agent still starts, so the outbox keeps draining and the platform hears about the problem,
/// instead of the service dying and restarting in a loop. It reports <see cref="DeviceStatus.NoDevice"/>, fails to
/// open and answers every operation with <see cref="CompletionCode.DeviceNotReady"/> naming the driver, the error
/// and what to check; <c>kioskctl probe</c> and <c>/api/status</c> show the same.
/// </summary>
internal sealed class UnavailableDevice
    : DeviceBase, IFaceCamera, IDocumentCamera, IDocumentScanner, ISignaturePad, IFingerprintReader, IIdCardReader, IAudioRecorder, IAudioPlayer, IIndicators, ISensors
{
    private readonly string _why;

    public UnavailableDevice(string name, DeviceClass deviceClass, string driver, Exception error, TimeProvider timeProvider)
        : base(name, deviceClass, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(error);
        _why = $"{name}: the {driver} driver could not be started ({error.Message}); check Kiosk:Devices:{driver} and that the device is connected and readable by the service user, then restart the agent";
        Capabilities = new DeviceCapabilities { Model = $"{driver} (unavailable)" };
        SetStatus(DeviceStatus.NoDevice, _why);
    }

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
