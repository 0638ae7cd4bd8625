using System.Collections.Concurrent;

namespace Kiosk.Agent.Sync;

/// <summary>
/// The records sent but not yet acknowledged by the platform, per connection. Its size bounds the duplicates
/// a reconnect can cause: everything in it is sent again after a reconnect or an ack timeout.
/// Thread safety: all members may be called concurrently (publish loop, ack loop, connect handler).
/// </summary>
internal sealed class InFlightWindow(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<long, Entry> _entries = new();
    private readonly ConcurrentDictionary<string, long> _seqByRecordId = new();
    private readonly ConcurrentDictionary<long, byte> _sentBefore = new();

    private sealed record Entry(string RecordId, long SentAt, int Epoch);

    public int Count => _entries.Count;

    public IReadOnlySet<long> Seqs => _entries.Keys.ToHashSet();

    /// <summary>Adds a record sent on connection <paramref name="epoch"/>; returns false when it had been sent before (a resend).</summary>
    public bool Add(long seq, string recordId, int epoch)
    {
        _seqByRecordId[recordId] = seq;
        _entries[seq] = new Entry(recordId, timeProvider.GetTimestamp(), epoch);
        return _sentBefore.TryAdd(seq, 0);
    }

    /// <summary>The platform confirmed the record: forget it for good.</summary>
    public void Acknowledged(long seq, string recordId)
    {
        _entries.TryRemove(seq, out _);
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

    /// <summary>After a reconnect nothing sent on the old connection will be acknowledged for sure: send it all again.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>
    /// Releases entries older than <paramref name="ackTimeout"/>, and entries of an older connection (a batch that
    /// straddled a reconnect tracks them after <see cref="Clear"/>). Returns the record ids released by timeout.
    /// </summary>
    public IReadOnlyList<string> Expire(TimeSpan ackTimeout, int currentEpoch)
    {
        var timedOut = new List<string>();
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

        return timedOut;
    }
}
