using Kiosk.Devices;

namespace Kiosk.Agent.Devices;

/// <summary>A face matcher that never matches, for a kiosk without a usable one: the session then halts with an alert, as for a mismatch.</summary>
public sealed class UnavailableFaceMatcher(string why) : IFaceMatcher
{
    public static UnavailableFaceMatcher NoCamera { get; } = new("this kiosk has no face camera");

    public string Why { get; } = why;

    public Task<FaceMatch> MatchAsync(FaceCapture probe, ReadOnlyMemory<byte> enrolledPhoto, CancellationToken cancellationToken) =>
        Task.FromResult(new FaceMatch(0, 1, "unavailable: " + Why));
}
