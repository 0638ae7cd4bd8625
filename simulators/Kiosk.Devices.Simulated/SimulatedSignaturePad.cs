namespace Kiosk.Devices.Simulated;

/// <summary>
/// A signature-and-fingerprint pad (签名捺印) on which someone signs: a deterministic pen time series of a
/// few strokes (100 Hz, 2 to 4 s of writing) with a rendered greyscale PNG, and the same synthetic
/// fingerprint as <see cref="SimulatedFingerprintReader"/>. The request's pen reporter gets every sample, in order, played
/// out over <see cref="SimulationOptions.LiveCaptureDuration"/> after the operation delay (<see cref="LivePlayback"/>).
/// Faults: the common ones; NoFinger for the fingerprint.
/// </summary>
public sealed class SimulatedSignaturePad : DeviceBase, ISignaturePad
{
    private readonly SimulationOptions _options;
    private readonly FaultPlayer _player;
    private volatile bool _open;

    public SimulatedSignaturePad(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.SignaturePad, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(
            DeviceClass.SignaturePad,
            options.Seed,
            "iso19794-7",
            $"pressureLevels={SyntheticSignature.MaxPressure + 1}",
            "sampleRate=100",
            "fingerprint",
            "dpi=500");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(loadFailure: null);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<SignatureCapture>> CaptureSignatureAsync(DeviceClaim claim, SignatureRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => SignAsync(request.Pen, ct), cancellationToken);
    }

    public Task<DeviceResult<FingerprintCapture>> CaptureFingerprintAsync(DeviceClaim claim, FingerprintRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => FingerprintAsync(request.Finger, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<SignatureCapture>> SignAsync(IProgress<PenProgress>? pen, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<SignatureCapture>();
        }

        var failure = await _player.PlayAsync<SignatureCapture>(Faults.Take(), cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        // The person writes: the samples come over LiveCaptureDuration, as a pad reports them while the pen moves.
        var signature = SyntheticSignature.Create(_options.Seed);
        var samples = signature.Samples;
        await LivePlayback.PlayAsync(
            TimeProvider,
            _options.LiveCaptureDuration,
            samples.Count,
            pen is null ? null : i => pen.Report(new PenProgress(samples[i], signature.Width, signature.Height) { MaxPressure = signature.MaxPressure }),
            cancellationToken).ConfigureAwait(false);
        return DeviceResult<SignatureCapture>.Success(signature);
    }

    private async Task<DeviceResult<FingerprintCapture>> FingerprintAsync(FingerPosition finger, CancellationToken cancellationToken)
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
            ? DeviceResult<FingerprintCapture>.Failure(CompletionCode.NoMedia, "no finger on the pad's sensor")
            : DeviceResult<FingerprintCapture>.Success(SyntheticFingerprint.Create(_options.Seed, finger));
    }
}
