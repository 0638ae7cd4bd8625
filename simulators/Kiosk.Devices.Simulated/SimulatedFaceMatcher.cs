using System.Security.Cryptography;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// SIMULATION ONLY: "matches" a face when the probe's image is byte for byte the enrolled photograph, which is what a
/// <see cref="SimulatedFaceCamera"/> returns for the photograph put in front of it. It looks at no faces and must
/// never be used with a real camera. Same photograph: a score in 0.85..0.97; another or none: 0.05..0.3; threshold
/// 0.6. Scores are drawn from the seed and the two images. Thread safe (no state).
/// </summary>
public sealed class SimulatedFaceMatcher : IFaceMatcher
{
    public const double MatchThreshold = 0.6;
    public const string MethodName = "simulated-same-photograph";

    private readonly int _seed;

    public SimulatedFaceMatcher(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _seed = options.Seed;
    }

    public Task<FaceMatch> MatchAsync(FaceCapture probe, ReadOnlyMemory<byte> enrolledPhoto, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        cancellationToken.ThrowIfCancellationRequested();
        var probeBytes = probe.Image.Data.Span;
        var same = !enrolledPhoto.IsEmpty && probeBytes.SequenceEqual(enrolledPhoto.Span);
        var random = new SeededRandom(_seed, $"face-match/{Convert.ToHexString(SHA256.HashData(probeBytes))}/{Convert.ToHexString(SHA256.HashData(enrolledPhoto.Span))}");
        var score = same ? random.Between(0.85, 0.97) : random.Between(0.05, 0.3);
        return Task.FromResult(new FaceMatch(Math.Round(score, 4), MatchThreshold, MethodName));
    }
}
