using System.Diagnostics;

namespace Kiosk.TestSupport;

/// <summary>
/// A token bucket for <see cref="FaultProxy"/>'s bandwidth throttle: refills at the rate read on every call
/// (so the rate can change while connections are open) and holds at most a tenth of a second of traffic.
/// Taking more than is there drives the bucket negative; the caller waits until it would be back at zero.
/// Thread-safe.
/// </summary>
internal sealed class TokenBucket
{
    private readonly object _gate = new();
    private readonly Func<int?> _bytesPerSecond;
    private double _tokens;
    private long _lastRefill = Stopwatch.GetTimestamp();

    public TokenBucket(Func<int?> bytesPerSecond)
    {
        _bytesPerSecond = bytesPerSecond;
    }

    /// <summary>Takes <paramref name="bytes"/> and returns how long the caller must wait before sending them (zero when unthrottled).</summary>
    public TimeSpan Take(int bytes)
    {
        lock (_gate)
        {
            var now = Stopwatch.GetTimestamp();
            var elapsed = Stopwatch.GetElapsedTime(_lastRefill, now).TotalSeconds;
            _lastRefill = now;
            if (_bytesPerSecond() is not { } rate || rate <= 0)
            {
                _tokens = 0;
                return TimeSpan.Zero;
            }

            _tokens = Math.Min(rate / 10.0, _tokens + (elapsed * rate)) - bytes;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / rate);
        }
    }

    /// <summary>The largest read worth making at the current rate: about 1/20 s of traffic, between 512 B and <paramref name="max"/>.</summary>
    public int ChunkSize(int max) => _bytesPerSecond() is { } rate and > 0 ? Math.Clamp(rate / 20, 512, max) : max;
}
