namespace Kiosk.Devices.Simulated;

/// <summary>
/// SIMULATION ONLY: "matches" faces by comparing source ids (the photograph a simulated camera was
/// shown against the one the enrolled person stands for). It looks at no pixels and must never be
/// used with a real camera. Same source: a score in 0.85..0.97; different or unknown: 0.05..0.3;
/// threshold 0.6. Scores are drawn from the seed. Thread safe (no state).
/// </summary>
public sealed class SimulatedFaceMatcher : IFaceMatcher
{
    public const double MatchThreshold = 0.6;
    public const string MethodName = "simulated-source-id";

    private readonly int _seed;

    public SimulatedFaceMatcher(SimulationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _seed = options.Seed;
    }

    public Task<FaceMatch> MatchAsync(FaceCapture probe, ReadOnlyMemory<byte> enrolledPhoto, string? enrolledSourceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        cancellationToken.ThrowIfCancellationRequested();
        var same = probe.SourceId is not null && string.Equals(probe.SourceId, enrolledSourceId, StringComparison.Ordinal);
        var random = new SeededRandom(_seed, $"face-match/{probe.SourceId}/{enrolledSourceId}");
        var score = same ? random.Between(0.85, 0.97) : random.Between(0.05, 0.3);
        return Task.FromResult(new FaceMatch(Math.Round(score, 4), MatchThreshold, MethodName));
    }
}
