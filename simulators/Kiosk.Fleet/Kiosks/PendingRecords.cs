using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Kiosks;

/// <summary>
/// One kiosk's records between <c>CommitAsync</c> returning and the ack that deletes them, with when each was committed
/// and in which phase. An ack may be applied before the commit loop has noted its record (the sync runs on other
/// threads); such an early ack is kept until the commit is noted, and counts as a latency of zero.
/// Thread safety: all members may be called from any thread (one lock per kiosk).
/// </summary>
internal sealed class PendingRecords(TimeProvider time)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long CommittedAt, string Phase)> _pending = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ackedEarly = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    public void Committed(string recordId, string phase, LatencyLog log)
    {
        lock (_gate)
        {
            if (_ackedEarly.Remove(recordId))
            {
                log.Sample(phase, TimeSpan.Zero);
                return;
            }

            _pending[recordId] = (time.GetTimestamp(), phase);
        }
    }

    public void Acknowledged(string recordId, LatencyLog log)
    {
        lock (_gate)
        {
            if (_pending.Remove(recordId, out var entry))
            {
                log.Sample(entry.Phase, time.GetElapsedTime(entry.CommittedAt));
                return;
            }

            _ackedEarly.Add(recordId);
        }
    }

    /// <summary>True when a record committed before <paramref name="timestamp"/> (a <see cref="TimeProvider"/> timestamp) is still unacknowledged.</summary>
    public bool AnyCommittedBefore(long timestamp)
    {
        lock (_gate)
        {
            foreach (var entry in _pending.Values)
            {
                if (entry.CommittedAt < timestamp)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
