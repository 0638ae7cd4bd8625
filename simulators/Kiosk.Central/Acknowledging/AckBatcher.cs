using Kiosk.Central.Reassembly;

namespace Kiosk.Central.Acknowledging;

/// <summary>
/// Gathers record ids, retry requests and chunk progress per kiosk and hands them on as one <see cref="AckMessage"/>
/// when the kiosk's window (started by its first entry) elapses or its batch reaches the maximum of record ids.
/// A batch holds at most one progress entry per attachment (the latest), none for a record it acknowledges and
/// none for an attachment it asks to be resent.
/// Thread-safe: entries arrive from the message path, windows close on timer threads.
/// </summary>
internal sealed class AckBatcher(TimeProvider time, TimeSpan window, int maxBatch, Action<AckMessage> ready) : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Batch> _batches = new(StringComparer.Ordinal);

    public void Acknowledge(string siteId, string kioskId, string recordId) => Add(siteId, kioskId, b =>
    {
        if (!b.RecordIds.Contains(recordId))
        {
            b.RecordIds.Add(recordId);
        }

        b.Progress.RemoveAll(p => p.RecordId == recordId);
    });

    public void RequestRetry(AttachmentFailure failure) => Add(failure.SiteId, failure.KioskId, b =>
    {
        if (!b.Retry.Any(r => r.RecordId == failure.RecordId && r.AttachmentId == failure.AttachmentId))
        {
            b.Retry.Add(failure);
        }

        b.Progress.RemoveAll(p => p.RecordId == failure.RecordId && p.AttachmentId == failure.AttachmentId);
    });

    /// <summary>Puts the attachment's contiguous chunk count in the kiosk's next ack, replacing an earlier count in the same batch.</summary>
    public void ReportProgress(AttachmentKey key, int receivedChunks) => Add(key.SiteId, key.KioskId, b =>
    {
        var entry = new ChunkProgress(key.RecordId, key.AttachmentId, receivedChunks);
        var index = b.Progress.FindIndex(p => p.RecordId == key.RecordId && p.AttachmentId == key.AttachmentId);
        if (index >= 0)
        {
            b.Progress[index] = entry;
        }
        else
        {
            b.Progress.Add(entry);
        }
    });

    /// <summary>Hands on every open batch now (shutdown).</summary>
    public void FlushAll()
    {
        List<AckMessage> messages;
        lock (_gate)
        {
            messages = _batches.Values.Select(Close).ToList();
            _batches.Clear();
        }

        messages.ForEach(ready);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var batch in _batches.Values)
            {
                batch.Timer?.Dispose();
            }

            _batches.Clear();
        }
    }

    private void Add(string siteId, string kioskId, Action<Batch> add)
    {
        AckMessage? full = null;
        lock (_gate)
        {
            var key = siteId + "/" + kioskId;
            if (!_batches.TryGetValue(key, out var batch))
            {
                batch = new Batch(siteId, kioskId);
                _batches.Add(key, batch);
                batch.Timer = time.CreateTimer(OnWindowClosed, key, window, Timeout.InfiniteTimeSpan);
            }

            add(batch);
            if (batch.RecordIds.Count >= maxBatch)
            {
                _batches.Remove(key);
                full = Close(batch);
            }
        }

        if (full is not null)
        {
            ready(full);
        }
    }

    private void OnWindowClosed(object? state)
    {
        AckMessage message;
        lock (_gate)
        {
            if (!_batches.Remove((string)state!, out var batch))
            {
                return;
            }

            message = Close(batch);
        }

        ready(message);
    }

    private AckMessage Close(Batch batch)
    {
        batch.Timer?.Dispose();
        return new AckMessage(batch.SiteId, batch.KioskId, batch.RecordIds, batch.Retry, batch.Progress, time.GetUtcNow());
    }

    private sealed class Batch(string siteId, string kioskId)
    {
        public string SiteId { get; } = siteId;

        public string KioskId { get; } = kioskId;

        public List<string> RecordIds { get; } = [];

        public List<AttachmentFailure> Retry { get; } = [];

        public List<ChunkProgress> Progress { get; } = [];

        public ITimer? Timer { get; set; }
    }
}
