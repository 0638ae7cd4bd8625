using System.Collections.Concurrent;

namespace Kiosk.Agent.Sync;

/// <summary>
/// The records sent but not yet acknowledged by the platform, per connection. Its size bounds the duplicates
/// a reconnect can cause: everything in it is sent again after a reconnect or an ack timeout.
/// How long an ack may take before a record is sent again adapts to the platform (<see cref="AckTimeoutEstimator"/>).
/// Thread safety: all members may be called concurrently (publish loop, ack loop, connect handler).
/// </summary>
internal sealed class InFlightWindow(TimeProvider timeProvider, TimeSpan? minimumAckTimeout = null, TimeSpan? maximumAckTimeout = null)
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, long> _seqByRecordId = new();
    private readonly ConcurrentDictionary<long, byte> _sentBefore = new();
    private readonly AckTimeoutEstimator _ackTimeout = new(minimumAckTimeout ?? TimeSpan.FromSeconds(60), maximumAckTimeout ?? TimeSpan.FromMinutes(2));

    private sealed record Entry(string RecordId, long SentAt, int Epoch, bool Resend, TaskCompletionSource<bool> Accepted);

    /// <summary>How long an ack may take now before an unacknowledged record is sent again.</summary>
    public TimeSpan AckTimeout => _ackTimeout.Current;

    public int Count => _entries.Count;

    public IReadOnlySet<long> Seqs => _entries.Keys.ToHashSet();

    /// <summary>The records of <see cref="Seqs"/> whose send is over: all of it accepted by the broker, the ack still to come.</summary>
    public IReadOnlySet<long> AwaitingAck => _entries.Where(e => e.Value.Accepted.Task is { IsCompletedSuccessfully: true, Result: true }).Select(e => e.Key).ToHashSet();

    /// <summary>
    /// Adds a record being sent on connection <paramref name="epoch"/>; <paramref name="resend"/> tells whether it had
    /// been sent before. The sender completes the returned source once the broker has accepted the record's message and
    /// every chunk and the attempt is counted in the outbox (true), or the send failed (false).
    /// </summary>
    public TaskCompletionSource<bool> Add(long seq, string recordId, int epoch, out bool resend)
    {
        var accepted = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _seqByRecordId[recordId] = seq;
        resend = !_sentBefore.TryAdd(seq, 0);
        _entries[seq] = new Entry(recordId, timeProvider.GetTimestamp(), epoch, resend, accepted);
        return accepted;
    }

    /// <summary>
    /// The send of a record still in flight, completing when the broker has accepted all of it (true) or the send failed
    /// (false); null when the record is not in flight.
    /// </summary>
    public Task<bool>? Sending(string recordId) =>
        _seqByRecordId.TryGetValue(recordId, out var seq) && _entries.TryGetValue(seq, out var entry) ? entry.Accepted.Task : null;

    /// <summary>The platform confirmed the record: forget it for good. Its ack time is a sample when it was sent once.</summary>
    public void Acknowledged(long seq, string recordId)
    {
        if (_entries.TryRemove(seq, out var entry) && !entry.Resend)
        {
            _ackTimeout.Sample(timeProvider.GetElapsedTime(entry.SentAt));
        }

        _seqByRecordId.TryRemove(recordId, out _);
        _sentBefore.TryRemove(seq, out _);
    }

    /// <summary>Makes the record eligible to be sent again at once (the platform asked for it).</summary>
    public void Release(string recordId)
    {
        if (_seqByRecordId.TryGetValue(recordId, out var seq))
        {
            _entries.TryRemove(seq, out _);
        }
    }

    /// <summary>How long until the oldest record in flight times out (zero when one already has); null when none is in flight.</summary>
    public TimeSpan? UntilNextExpiry()
    {
        if (_entries.IsEmpty)
        {
            return null;
        }

        var ackTimeout = _ackTimeout.Current;
        var oldest = _entries.Values.Select(e => e.SentAt).DefaultIfEmpty(timeProvider.GetTimestamp()).Min();
        var left = ackTimeout - timeProvider.GetElapsedTime(oldest);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>After a reconnect nothing sent on the old connection will be acknowledged for sure: send it all again.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>
    /// Releases entries older than <see cref="AckTimeout"/>, and entries of an older connection (a batch that
    /// straddled a reconnect tracks them after <see cref="Clear"/>). Returns the record ids released by timeout; when
    /// there are any, the next timeout is twice as long until the platform answers.
    /// </summary>
    public IReadOnlyList<string> Expire(int currentEpoch)
    {
        var timedOut = new List<string>();
        var ackTimeout = _ackTimeout.Current;
        var now = timeProvider.GetTimestamp();
        foreach (var (seq, entry) in _entries)
        {
            if (entry.Epoch != currentEpoch)
            {
                _entries.TryRemove(seq, out _);
            }
            else if (timeProvider.GetElapsedTime(entry.SentAt, now) > ackTimeout)
            {
                _entries.TryRemove(seq, out _);
                timedOut.Add(entry.RecordId);
            }
        }

        if (timedOut.Count > 0)
        {
            _ackTimeout.TimedOut();
        }

        return timedOut;
    }
}
