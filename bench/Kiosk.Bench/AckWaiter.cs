using System.Diagnostics;
using Kiosk.Agent.Sync;

namespace Kiosk.Bench;

/// <summary>
/// Counts platform acks (<see cref="SyncStatus.RecordAcknowledged"/>) of the records registered with it and
/// notes when the last one came. An ack may arrive before its commit returned: both orders are counted once.
/// </summary>
internal sealed class AckWaiter : IDisposable
{
    private readonly SyncStatus _status;
    private readonly object _lock = new();
    private readonly Dictionary<string, long> _committedAt = [];
    private readonly Dictionary<string, long> _ackedEarlyAt = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining;

    public AckWaiter(SyncStatus status, int count)
    {
        _status = status;
        _remaining = count;
        _status.RecordAcknowledged += OnAcknowledged;
    }

    public int Acknowledged { get; private set; }

    /// <summary>From the commit's return to the platform's ack, per record.</summary>
    public Latencies CommitToAck { get; } = new();

    /// <summary>Stopwatch timestamp of the first ack counted (0 before it).</summary>
    public long FirstAckAt { get; private set; }

    /// <summary>Stopwatch timestamp of the last ack counted.</summary>
    public long LastAckAt { get; private set; }

    /// <summary>Counts the ack of <paramref name="recordId"/>, committed at Stopwatch timestamp <paramref name="committedAt"/>.</summary>
    public void Expect(string recordId, long committedAt)
    {
        lock (_lock)
        {
            if (_ackedEarlyAt.Remove(recordId, out var ackedAt))
            {
                Count(committedAt, Math.Max(ackedAt, committedAt));
            }
            else
            {
                _committedAt.Add(recordId, committedAt);
            }
        }
    }

    /// <summary>True when every record was acknowledged, false when <paramref name="limit"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan limit)
    {
        try
        {
            await _done.Task.WaitAsync(limit);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void OnAcknowledged(object? sender, RecordAcknowledgedEventArgs e)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_committedAt.Remove(e.RecordId, out var committedAt))
            {
                Count(committedAt, now);
            }
            else
            {
                _ackedEarlyAt[e.RecordId] = now;
            }
        }
    }

    private void Count(long committedAt, long ackedAt)
    {
        Acknowledged++;
        FirstAckAt = FirstAckAt == 0 ? ackedAt : Math.Min(FirstAckAt, ackedAt);
        LastAckAt = Math.Max(LastAckAt, ackedAt);
        CommitToAck.Add(Stopwatch.GetElapsedTime(committedAt, ackedAt));
        if (--_remaining == 0)
        {
            _done.TrySetResult();
        }
    }

    public void Dispose() => _status.RecordAcknowledged -= OnAcknowledged;
}
