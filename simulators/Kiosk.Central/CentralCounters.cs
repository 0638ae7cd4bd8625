namespace Kiosk.Central;

/// <summary>The live counters behind <see cref="CentralCounts"/>; thread-safe through Interlocked.</summary>
internal sealed class CentralCounters
{
    private long _recordsReceived;
    private long _recordsStored;
    private long _duplicatesDropped;
    private long _hashFailures;
    private long _chunksReceived;
    private long _acksSent;
    private long _malformedMessages;

    public void RecordReceived() => Interlocked.Increment(ref _recordsReceived);

    public void RecordStored() => Interlocked.Increment(ref _recordsStored);

    public void DuplicateDropped() => Interlocked.Increment(ref _duplicatesDropped);

    public void HashFailure() => Interlocked.Increment(ref _hashFailures);

    public void ChunkReceived() => Interlocked.Increment(ref _chunksReceived);

    public void AckSent() => Interlocked.Increment(ref _acksSent);

    public void Malformed() => Interlocked.Increment(ref _malformedMessages);

    public CentralCounts Snapshot() => new(
        Interlocked.Read(ref _recordsReceived),
        Interlocked.Read(ref _recordsStored),
        Interlocked.Read(ref _duplicatesDropped),
        Interlocked.Read(ref _hashFailures),
        Interlocked.Read(ref _chunksReceived),
        Interlocked.Read(ref _acksSent),
        Interlocked.Read(ref _malformedMessages));
}
