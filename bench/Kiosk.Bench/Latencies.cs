namespace Kiosk.Bench;

/// <summary>Measured durations of one operation, in milliseconds.</summary>
internal sealed class Latencies
{
    private readonly List<double> _ms = [];

    public int Count => _ms.Count;

    public double TotalMs => _ms.Sum();

    /// <summary>Operations per second over the time they took (back to back, so the sum is the wall time).</summary>
    public double PerSecond => Count == 0 ? 0 : Count / (TotalMs / 1000.0);

    public void Add(TimeSpan elapsed) => _ms.Add(elapsed.TotalMilliseconds);

    /// <summary>Nearest-rank percentile (p in 0..100).</summary>
    public double Percentile(double p)
    {
        if (_ms.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _ms.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
