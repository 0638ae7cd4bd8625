namespace Kiosk.Agent.Sync;

/// <summary>
/// How long to wait for the platform's ack before sending a record again, estimated the way TCP sets its retransmission
/// timer (RFC 6298): a smoothed ack time plus four times its variation, never below <c>minimum</c>
/// (<see cref="Configuration.SyncOptions.AckTimeout"/>), doubled after each timeout, never above <c>maximum</c>
/// (<see cref="Configuration.SyncOptions.AckTimeoutMax"/>). Only records sent once give a sample, and only a sample ends
/// the doubling (Karn's rule: the ack of a record sent twice cannot say which send it answers, and a platform slower
/// than the timeout would otherwise never be measured).
/// Why: a platform that is slow but alive (a fleet draining after an outage) acknowledges in tens of seconds; a fixed
/// timeout below that makes every kiosk send its whole window again, which the platform must then store and
/// deduplicate on top of the backlog, and it falls further behind.
/// Thread safety: all members may be called concurrently.
/// </summary>
internal sealed class AckTimeoutEstimator(TimeSpan minimum, TimeSpan maximum)
{
    private const int MaxBackoff = 64;
    private readonly Lock _lock = new();
    private readonly TimeSpan _maximum = maximum < minimum ? minimum : maximum;
    private double _smoothedMs = -1;
    private double _variationMs;
    private int _backoff = 1;

    /// <summary>The wait before a record still unacknowledged is sent again.</summary>
    public TimeSpan Current
    {
        get
        {
            lock (_lock)
            {
                var estimate = _smoothedMs < 0 ? minimum : TimeSpan.FromMilliseconds(_smoothedMs + (4 * _variationMs));
                var timeout = (estimate < minimum ? minimum : estimate) * _backoff;
                return timeout > _maximum ? _maximum : timeout;
            }
        }
    }

    /// <summary>The time from sending a record (sent once) to its ack; the doubling after timeouts ends.</summary>
    public void Sample(TimeSpan ackTime)
    {
        var ms = Math.Max(0, ackTime.TotalMilliseconds);
        lock (_lock)
        {
            _backoff = 1;
            if (_smoothedMs < 0)
            {
                _smoothedMs = ms;
                _variationMs = ms / 2;
            }
            else
            {
                _variationMs = (0.75 * _variationMs) + (0.25 * Math.Abs(_smoothedMs - ms));
                _smoothedMs = (0.875 * _smoothedMs) + (0.125 * ms);
            }
        }
    }

    /// <summary>Records timed out and are sent again: wait twice as long before the next time out.</summary>
    public void TimedOut()
    {
        lock (_lock)
        {
            _backoff = Math.Min(MaxBackoff, _backoff * 2);
        }
    }
}
