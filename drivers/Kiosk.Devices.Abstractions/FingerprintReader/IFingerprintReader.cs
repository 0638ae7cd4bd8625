namespace Kiosk.Devices;

/// <summary>Stand-alone fingerprint reader.</summary>
public interface IFingerprintReader : IDevice
{
    Task<DeviceResult<FingerprintCapture>> CaptureFingerprintAsync(DeviceClaim claim, FingerprintRequest request, CancellationToken cancellationToken);
}

public enum FingerPosition
{
    Unknown = 0,
    RightThumb = 1,
    RightIndex = 2,
    LeftThumb = 6,
    LeftIndex = 7,
}

public sealed record FingerprintRequest
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
    public FingerPosition Finger { get; init; } = FingerPosition.RightIndex;
}

/// <summary>
/// A fingerprint: the grey image, its quality (0..100, NFIQ-like), the same image as an ISO/IEC 19794-4:2005 finger
/// image record (<see cref="FingerImageRecord"/>: what the platform sends on to an AFIS; every device delivers one)
/// and, when the device extracts them, the minutiae as an ISO/IEC 19794-2 record.
/// </summary>
public sealed record FingerprintCapture(CapturedImage Image, FingerPosition Finger, int Quality, ReadOnlyMemory<byte> ImageRecord, ReadOnlyMemory<byte> MinutiaeRecord);
