namespace Kiosk.Devices.Simulated;

/// <summary>
/// A fingerprint reader with a synthetic finger on it: a 256x288 greyscale ridge image at 500 dpi, the same image as
/// an ISO/IEC 19794-4:2005 finger image record, and an ISO/IEC 19794-2:2005 minutiae record, drawn from the seed and
/// the finger position.
/// Faults: the common ones and NoFinger. Needs no test-data files.
/// </summary>
public sealed class SimulatedFingerprintReader : DeviceBase, IFingerprintReader
{
    private readonly SimulationOptions _options;
    private readonly FaultPlayer _player;
    private volatile bool _open;

    public SimulatedFingerprintReader(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.FingerprintReader, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.FingerprintReader, options.Seed, "dpi=500", "png", "iso19794-4:2005", "iso19794-2:2005");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(loadFailure: null);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<FingerprintCapture>> CaptureFingerprintAsync(DeviceClaim claim, FingerprintRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => CaptureAsync(request.Finger, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<FingerprintCapture>> CaptureAsync(FingerPosition finger, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<FingerprintCapture>();
        }

        var fault = Faults.Take();
        var failure = await _player.PlayAsync<FingerprintCapture>(fault, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        return fault == SimulatedFault.NoFinger
            ? DeviceResult<FingerprintCapture>.Failure(CompletionCode.NoMedia, "no finger on the sensor")
            : DeviceResult<FingerprintCapture>.Success(SyntheticFingerprint.Create(_options.Seed, finger));
    }
}
