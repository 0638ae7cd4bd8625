namespace Kiosk.Devices;

/// <summary>Signature and fingerprint pad (签名捺印): the pen time series and a fingerprint on one device.</summary>
public interface ISignaturePad : IDevice
{
    Task<DeviceResult<SignatureCapture>> CaptureSignatureAsync(DeviceClaim claim, SignatureRequest request, CancellationToken cancellationToken);

    Task<DeviceResult<FingerprintCapture>> CaptureFingerprintAsync(DeviceClaim claim, FingerprintRequest request, CancellationToken cancellationToken);
}

public sealed record SignatureRequest
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Receives every pen sample of the signature, in order, as the pad settles it (for the screen to echo the strokes live):
    /// the samples reported are the capture's <see cref="SignatureCapture.Samples"/>, no more and no other. Called on the
    /// capture's own thread; must return at once. Null: nothing is reported and the capture is unchanged.
    /// </summary>
    public IProgress<PenProgress>? Pen { get; init; }
}

/// <summary>A live pen sample with the pad's extent (device units), so a screen can scale the strokes.</summary>
public readonly record struct PenProgress(PenSample Sample, int Width, int Height)
{
    /// <summary>The pad's full pressure (<see cref="SignatureCapture.MaxPressure"/>), so a screen can draw pressure as line width; 0 when unknown.</summary>
    public int MaxPressure { get; init; }
}

/// <summary>One pen sample, the channels of ISO/IEC 19794-7: X, Y (device units), T (ms since the first sample), pressure (0..MaxPressure), pen down.</summary>
public readonly record struct PenSample(int X, int Y, long T, int Pressure, bool PenDown);

/// <summary>A signature as a time series (the evidence) and an image rendered from it (for people).</summary>
public sealed record SignatureCapture(IReadOnlyList<PenSample> Samples, int Width, int Height, int MaxPressure, int UnitsPerMillimetre, CapturedImage? Rendering);
