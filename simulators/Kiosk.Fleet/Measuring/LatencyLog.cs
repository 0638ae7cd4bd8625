using System.Collections.Concurrent;

namespace Kiosk.Fleet.Measuring;

/// <summary>
/// Commit-to-ack latencies of the whole fleet, by the phase in which each record was committed, and the commit loop's
/// troubles (late schedules, failed commits by exception type).
/// Thread safety: all members may be called from any thread.
/// </summary>
internal sealed class LatencyLog
{
    private readonly ConcurrentDictionary<string, List<double>> _samples = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _commitFailures = new(StringComparer.Ordinal);
    private long _late;

    /// <summary>Commit loops that fell more than one interval behind their schedule and skipped ahead.</summary>
    public long LateCount => Interlocked.Read(ref _late);

    public IReadOnlyDictionary<string, long> CommitFailures => _commitFailures;

    public void Sample(string phase, TimeSpan latency)
    {
        var list = _samples.GetOrAdd(phase, _ => []);
        lock (list)
        {
            list.Add(latency.TotalMilliseconds);
        }
    }

    public void Late() => Interlocked.Increment(ref _late);

    public void CommitFailed(string kind) => _commitFailures.AddOrUpdate(kind, 1, (_, n) => n + 1);

    /// <summary>The samples of <paramref name="phase"/> (a copy).</summary>
    public IReadOnlyList<double> Samples(string phase)
    {
        if (!_samples.TryGetValue(phase, out var list))
        {
            return [];
        }

        lock (list)
        {
            return [.. list];
        }
    }

    /// <summary>Nearest-rank percentile (<paramref name="fraction"/> in 0..1) of <paramref name="samples"/>; null when there are none.</summary>
    public static double? Percentile(IReadOnlyList<double> samples, double fraction)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return null;
        }

        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(fraction * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
