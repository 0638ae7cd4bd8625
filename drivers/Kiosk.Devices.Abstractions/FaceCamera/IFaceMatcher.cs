namespace Kiosk.Devices;

/// <summary>
/// 1:1 face verification used as a local pre-check; the platform runs its own matcher on the stored capture.
/// The probe is compared with the enrolled photograph's pixels only.
/// Thread safety: implementations must allow concurrent calls.
/// </summary>
public interface IFaceMatcher
{
    Task<FaceMatch> MatchAsync(FaceCapture probe, ReadOnlyMemory<byte> enrolledPhoto, CancellationToken cancellationToken);
}

/// <summary>A match score (0..1) against its threshold.</summary>
public sealed record FaceMatch(double Score, double Threshold, string Method)
{
    public bool IsMatch => Score >= Threshold;
}
