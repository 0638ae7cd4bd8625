namespace Kiosk.Agent.Sync;

/// <summary>
/// What the sync has done so far, for telemetry, the demo and tests.
/// Thread safety: counters are updated atomically; events are raised on the sync's own tasks.
/// </summary>
public sealed class SyncStatus
{
    private long _recordsPublished;
    private long _recordsAcknowledged;
    private long _recordsResent;
    private long _chunksPublished;
    private long _malformedAcks;
    private long _chunksSkipped;
    private long _acksDropped;
    private long _ackIdsIgnored;
    private long _quarantined;
    private long _clockOffsetMs = long.MinValue;
    private long _lastConnectedAtMs = long.MinValue;
    private readonly long[] _refused = new long[Enum.GetValues<Kiosk.Agent.Control.Refusal>().Length];
    private long _commandsRun;
    private long _commandsRepeated;

    public long RecordsPublished => Interlocked.Read(ref _recordsPublished);

    public long RecordsAcknowledged => Interlocked.Read(ref _recordsAcknowledged);

    /// <summary>Records sent again (after a reconnect, an ack timeout, or a platform retry request).</summary>
    public long RecordsResent => Interlocked.Read(ref _recordsResent);

    /// <summary>Chunks the broker accepted (PUBACK).</summary>
    public long ChunksPublished => Interlocked.Read(ref _chunksPublished);

    public long MalformedAcks => Interlocked.Read(ref _malformedAcks);

    /// <summary>Acks dropped because the ack queue was full (their records are sent again and acknowledged again).</summary>
    public long AcksDropped => Interlocked.Read(ref _acksDropped);

    /// <summary>Record ids in acks that deleted nothing: not in the outbox, or never sent in full (an ack cannot delete those).</summary>
    public long AckIdsIgnored => Interlocked.Read(ref _ackIdsIgnored);

    /// <summary>Records quarantined since start (kept, not sent, alert raised).</summary>
    public long Quarantined => Interlocked.Read(ref _quarantined);

    /// <summary>Chunks not sent again because the platform reported holding them (resumed uploads).</summary>
    public long ChunksSkipped => Interlocked.Read(ref _chunksSkipped);

    /// <summary>Platform time minus kiosk time, from the last ack; null before the first ack.</summary>
    public TimeSpan? ClockOffset => Interlocked.Read(ref _clockOffsetMs) is var ms && ms == long.MinValue ? null : TimeSpan.FromMilliseconds(ms);

    /// <summary>When the link to the broker last came up (connected, subscribed, birth published); null before the first time.</summary>
    public DateTimeOffset? LastConnectedAt => Interlocked.Read(ref _lastConnectedAtMs) is var ms && ms == long.MinValue ? null : DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>Raised for each record the platform confirmed and the outbox deleted.</summary>
    public event EventHandler<RecordAcknowledgedEventArgs>? RecordAcknowledged;

    internal void Published(int records, bool resend)
    {
        Interlocked.Add(ref _recordsPublished, records);
        if (resend)
        {
            Interlocked.Add(ref _recordsResent, records);
        }
    }

    internal void ChunkPublished() => Interlocked.Increment(ref _chunksPublished);

    /// <summary>Platform messages (acks and commands) refused, per reason; nothing was done for any of them.</summary>
    public long Refused(Kiosk.Agent.Control.Refusal reason) => Interlocked.Read(ref _refused[(int)reason]);

    /// <summary>All refused platform messages.</summary>
    public long RefusedTotal => _refused.Sum(n => Interlocked.Read(ref n));

    /// <summary>Refusal counts by wire name (only reasons that happened), for telemetry and the local API.</summary>
    public IReadOnlyDictionary<string, long> RefusedByReason => Enum.GetValues<Kiosk.Agent.Control.Refusal>()
        .Where(r => r != Kiosk.Agent.Control.Refusal.None && Refused(r) > 0)
        .ToDictionary(r => Kiosk.Agent.Control.Refusals.WireName(r), Refused, StringComparer.Ordinal);

    /// <summary>Platform commands run (each command id once).</summary>
    public long CommandsRun => Interlocked.Read(ref _commandsRun);

    /// <summary>Commands received again with an id already run; not run again.</summary>
    public long CommandsRepeated => Interlocked.Read(ref _commandsRepeated);

    internal void RefusedOne(Kiosk.Agent.Control.Refusal reason) => Interlocked.Increment(ref _refused[(int)reason]);

    internal void CommandRun() => Interlocked.Increment(ref _commandsRun);

    internal void CommandRepeated() => Interlocked.Increment(ref _commandsRepeated);

    internal void MalformedAck() => Interlocked.Increment(ref _malformedAcks);

    internal void AckDropped() => Interlocked.Increment(ref _acksDropped);

    internal void AckIdsIgnoredBy(int count) => Interlocked.Add(ref _ackIdsIgnored, count);

    internal void QuarantinedOne() => Interlocked.Increment(ref _quarantined);

    internal void SkippedChunks(int count) => Interlocked.Add(ref _chunksSkipped, count);

    internal void LinkUp(DateTimeOffset at) => Interlocked.Exchange(ref _lastConnectedAtMs, at.ToUnixTimeMilliseconds());

    internal void SetClockOffset(TimeSpan offset) => Interlocked.Exchange(ref _clockOffsetMs, (long)offset.TotalMilliseconds);

    /// <summary>Sets the offset when none is known yet or <paramref name="offset"/> is larger (a less delayed sample).</summary>
    internal void RaiseClockOffset(TimeSpan offset)
    {
        var ms = (long)offset.TotalMilliseconds;
        long current;
        do
        {
            current = Interlocked.Read(ref _clockOffsetMs);
            if (current != long.MinValue && current >= ms)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _clockOffsetMs, ms, current) != current);
    }

    internal void Acknowledged(string recordId, long seq, DateTimeOffset at)
    {
        Interlocked.Increment(ref _recordsAcknowledged);
        RecordAcknowledged?.Invoke(this, new RecordAcknowledgedEventArgs(recordId, seq, at));
    }
}

public sealed class RecordAcknowledgedEventArgs(string recordId, long seq, DateTimeOffset acknowledgedAt) : EventArgs
{
    public string RecordId { get; } = recordId;
    public long Seq { get; } = seq;
    public DateTimeOffset AcknowledgedAt { get; } = acknowledgedAt;
}
