using System.Collections.Concurrent;
using System.Threading.Channels;
using Kiosk.Central.Reassembly;

namespace Kiosk.Central.Storage;

/// <summary>
/// Group commit: records completed by the message path queue here, and one writer stores whatever has queued up in a
/// single durable transaction (<see cref="ICentralStore.StoreBatchAsync"/>), then hands each to
/// <c>committed</c>, which acknowledges it. One fsync covers a whole group, so a backlog drains at the disk's bandwidth
/// rather than its fsync rate, and a lone record still goes at once (the writer never waits to fill a group).
/// Changes to the pending pieces (<see cref="Pending"/>) queue here too and go into the same transaction, in order, so
/// the message path never waits for the writer; and a chunk whose record completes in the same group is never written
/// as pending at all.
/// A group that fails to commit is logged and not acknowledged: the kiosks send those records again; its pending
/// writes are not reported as held (an in-memory chunk whose save failed is completed from memory or sent again).
/// Thread safety: <see cref="Enqueue"/> and <see cref="IsCommitting"/> may be called from any thread.
/// </summary>
internal sealed class RecordCommitter : IAsyncDisposable
{
    /// <summary>At most this many records per transaction, so one group's acks are not held back behind a huge one.</summary>
    public const int MaxGroupRecords = 256;

    /// <summary>At most this many attachment bytes per transaction (about 200 attachments of 150 KiB).</summary>
    public const long MaxGroupBytes = 32L * 1024 * 1024;

    private readonly ICentralStore _store;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly Action<CompletedRecord, bool, DateTimeOffset> _committed;
    // CompletedRecord, or (PendingWrite, Action?) to apply in the group's transaction and run once it is durable.
    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, int> _committing = new(StringComparer.Ordinal);
    private readonly Task _writer;
    private long _groups;
    private long _records;

    public RecordCommitter(ICentralStore store, TimeProvider time, TextWriter log, Action<CompletedRecord, bool, DateTimeOffset> committed)
    {
        _store = store;
        _time = time;
        _log = log;
        _committed = committed;
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Transactions committed so far and the records they held (their ratio is the mean group size).</summary>
    public (long Groups, long Records) Totals => (Interlocked.Read(ref _groups), Interlocked.Read(ref _records));

    public void Enqueue(CompletedRecord record)
    {
        _committing.AddOrUpdate(record.Envelope.RecordId, 1, (_, n) => n + 1);
        if (!_queue.Writer.TryWrite(record))
        {
            Release(record);
            throw new InvalidOperationException("the platform is stopping; the record is not stored and not acknowledged");
        }
    }

    /// <summary>
    /// Queues a change to the pending pieces for the next group's transaction, after the changes queued before it;
    /// <paramref name="durable"/> runs once that transaction is committed (never, when it fails).
    /// </summary>
    public void Pending(PendingWrite write, Action? durable = null)
    {
        if (!_queue.Writer.TryWrite((write, durable)))
        {
            throw new InvalidOperationException("the platform is stopping");
        }
    }

    /// <summary>True while the record is queued or being committed (its late chunks need no assembling).</summary>
    public bool IsCommitting(string recordId) => _committing.ContainsKey(recordId);

    /// <summary>Stores what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<CompletedRecord>(MaxGroupRecords);
        var pending = new List<PendingWrite>();
        var afterwards = new List<Action>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            pending.Clear();
            afterwards.Clear();
            long bytes = 0;
            while (group.Count < MaxGroupRecords && bytes < MaxGroupBytes && _queue.Reader.TryRead(out var item))
            {
                switch (item)
                {
                    case CompletedRecord record:
                        group.Add(record);
                        bytes += record.Attachments.Sum(a => (long)a.Content.Length);
                        break;
                    case ValueTuple<PendingWrite, Action?> (var write, var durableAction):
                        pending.Add(write);
                        bytes += write is SavePendingChunk save ? save.Content.Length : 0;
                        if (durableAction is not null)
                        {
                            afterwards.Add(durableAction);
                        }

                        break;
                    default:
                        throw new InvalidOperationException($"the commit queue holds a {item.GetType().Name}");
                }
            }

            if (await CommitAsync(pending, group).ConfigureAwait(false))
            {
                afterwards.ForEach(action => Guarded("a held chunk's report", action));
            }
        }
    }

    private async Task<bool> CommitAsync(List<PendingWrite> pending, List<CompletedRecord> group)
    {
        var storedAt = _time.GetUtcNow();
        IReadOnlyList<bool> stored;
        try
        {
            stored = await _store.StoreBatchAsync(pending, group, storedAt, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed commit must not stop the writer; nothing of the group is acknowledged.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.WriteLine($"central: storing a group of {group.Count} records and {pending.Count} pending changes failed ({ex.GetType().Name}: {ex.Message}); not acknowledged, the kiosks will send them again");
            group.ForEach(Release);
            return false;
        }

        if (group.Count > 0)
        {
            Interlocked.Increment(ref _groups);
            Interlocked.Add(ref _records, group.Count);
        }

        for (var i = 0; i < group.Count; i++)
        {
            Release(group[i]);
            var (record, isStored) = (group[i], stored[i]);
            Guarded($"record {record.Envelope.RecordId}", () => _committed(record, isStored, storedAt));
        }

        return true;
    }

    /// <summary>
    /// Runs what follows a commit so that no failure in it stops the writer: one that did would leave every later record
    /// stored but never acknowledged. A record whose ack was lost this way is sent again by its kiosk and acknowledged
    /// as a duplicate.
    /// </summary>
    private void Guarded(string what, Action action)
    {
        try
        {
            action();
        }
#pragma warning disable CA1031 // See above: the writer must outlive whatever a callback throws.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.WriteLine($"central: after the commit of {what}: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void Release(CompletedRecord record)
    {
        var id = record.Envelope.RecordId;
        if (_committing.AddOrUpdate(id, 0, (_, n) => n - 1) <= 0)
        {
            _committing.TryRemove(new KeyValuePair<string, int>(id, 0));
        }
    }
}
