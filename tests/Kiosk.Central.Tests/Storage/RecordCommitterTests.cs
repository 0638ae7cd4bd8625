using System.Collections.Concurrent;
using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;
using Kiosk.Central.Storage;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests.Storage;

/// <summary>Group commit: what queues up while a commit runs goes in the next one, a failed group is not acknowledged.</summary>
[TestFixture]
public sealed class RecordCommitterTests
{
    [Test]
    public async Task RecordsThatQueueWhileACommitRunsGoTogetherInTheNextTransaction()
    {
        var store = new GatedStore();
        var committed = new ConcurrentQueue<(string Id, bool Stored)>();
        await using var committer = new RecordCommitter(store, TimeProvider.System, TextWriter.Null, (r, stored, _) => committed.Enqueue((r.Envelope.RecordId, stored)));

        committer.Enqueue(Record("r0"));
        await Eventually.TrueAsync(() => store.Started == 1, "the first commit started");
        for (var i = 1; i <= 10; i++)
        {
            committer.Enqueue(Record("r" + i));
        }

        Assert.That(committer.IsCommitting("r0") && committer.IsCommitting("r10"), Is.True);
        Assert.That(committed, Is.Empty, "nothing is acknowledged before its transaction commits");
        store.Release();
        await Eventually.TrueAsync(() => committed.Count == 11, "all eleven committed");

        Assert.That(store.Groups.Select(g => g.Count), Is.EqualTo(new[] { 1, 10 }));
        Assert.That(committer.Totals, Is.EqualTo((2L, 11L)));
        Assert.That(committed.Select(c => c.Id), Is.EqualTo(Enumerable.Range(0, 11).Select(i => "r" + i)), "in the order they queued");
        Assert.That(committer.IsCommitting("r10"), Is.False);
    }

    [Test]
    public async Task AGroupThatFailsToCommitIsNotAcknowledgedAndTheNextOneIs()
    {
        var store = new GatedStore { FailNext = true };
        store.Release();
        var committed = new ConcurrentQueue<string>();
        var log = new StringWriter();
        await using var committer = new RecordCommitter(store, TimeProvider.System, TextWriter.Synchronized(log), (r, _, _) => committed.Enqueue(r.Envelope.RecordId));

        committer.Enqueue(Record("lost-for-now"));
        await Eventually.TrueAsync(() => store.Started == 1, "the failing commit ran");
        await Eventually.TrueAsync(() => !committer.IsCommitting("lost-for-now"), "the failed record released");
        committer.Enqueue(Record("next"));
        await Eventually.TrueAsync(() => committed.Contains("next"), "the next record committed");

        Assert.That(committed, Is.EqualTo(new[] { "next" }));
        Assert.That(log.ToString(), Does.Contain("not acknowledged, the kiosks will send them again"));
    }

    [Test]
    public async Task ACallbackThatThrowsDoesNotStopTheWriter()
    {
        var store = new GatedStore();
        store.Release();
        var committed = new ConcurrentQueue<string>();
        var log = new StringWriter();
        var synced = TextWriter.Synchronized(log);
        await using var committer = new RecordCommitter(store, TimeProvider.System, synced, (r, _, _) =>
        {
            if (r.Envelope.RecordId == "bad")
            {
                throw new InvalidOperationException("a subscriber's bug");
            }

            committed.Enqueue(r.Envelope.RecordId);
        });

        committer.Enqueue(Record("bad"));
        await Eventually.TrueAsync(() => store.Started == 1, "the first commit ran");
        committer.Pending(new DeletePending(new RecordKey("s", "k", "gone"), "a"), () => throw new InvalidOperationException("a report's bug"));
        committer.Enqueue(Record("good"));

        // A group's durable callbacks run after its records are handed on: wait for both, not for the record alone.
        string Logged()
        {
            // The synchronized writer locks itself for each write.
            lock (synced)
            {
                return log.ToString();
            }
        }

        await Eventually.TrueAsync(() => committed.Contains("good") && Logged().Contains("a report's bug", StringComparison.Ordinal), "the record after the failing callbacks committed and acknowledged, the report's failure logged");
        Assert.That(Logged(), Does.Contain("a subscriber's bug").And.Contain("a report's bug"));
    }

    [Test]
    public async Task PendingChunkWritesGoThroughTheGroupInOrderAndAreReportedOnlyOnceDurable()
    {
        using var folder = new TempFolder("committer");
        using var store = CentralStore.Open(folder.File("central.db"));
        var committed = new ConcurrentQueue<string>();
        var reported = new ConcurrentQueue<string>();
        await using (var committer = new RecordCommitter(store, TimeProvider.System, TextWriter.Null, (r, _, _) => committed.Enqueue(r.Envelope.RecordId)))
        {
            // r1's chunk is saved and then dropped: nothing of it is left. r2's waits for its record. r3 completes, so its
            // chunk is not pending any more (never written, or deleted with the record's commit).
            committer.Pending(new SavePendingChunk(Key("r1"), Header, [1, 2, 3]), () => reported.Enqueue("r1"));
            committer.Pending(new DeletePending(new RecordKey("s", "k", "r1"), "a"));
            committer.Pending(new SavePendingChunk(Key("r2"), Header, [4, 5, 6]), () => reported.Enqueue("r2"));
            committer.Pending(new SavePendingChunk(Key("r3"), Header, [7, 8, 9]), () => reported.Enqueue("r3"));
            committer.Enqueue(Record("r3"));
            await Eventually.TrueAsync(() => reported.Count == 3 && committed.Contains("r3"), "every write committed and reported");
        }

        var left = await store.ReadPendingChunksAsync(CancellationToken.None);
        Assert.That(left.Select(c => (c.Key.RecordId, c.Content.Length)), Is.EqualTo(new[] { ("r2", 3) }));
        Assert.That(await store.FindStoredAtAsync(["r1", "r2", "r3"], CancellationToken.None), Has.Count.EqualTo(1).And.ContainKey("r3"));
    }

    [Test]
    public async Task APendingWriteWhoseGroupFailsIsNeverReportedAsHeld()
    {
        var store = new GatedStore { FailNext = true };
        var reported = new ConcurrentQueue<string>();
        var committed = new ConcurrentQueue<string>();
        await using var committer = new RecordCommitter(store, TimeProvider.System, TextWriter.Null, (r, _, _) => committed.Enqueue(r.Envelope.RecordId));

        committer.Pending(new SavePendingChunk(Key("held"), Header, [1]), () => reported.Enqueue("held"));
        await Eventually.TrueAsync(() => store.Started == 1, "the group holding the chunk started");
        store.Release();
        committer.Enqueue(Record("next"));
        await Eventually.TrueAsync(() => committed.Contains("next"), "the next group committed");

        Assert.That(reported, Is.Empty, "the chunk was not saved, so the kiosk is not told it is held");
    }

    [Test]
    public async Task APendingChunkSavedAfterItsRecordWasStoredIsSweptAndOthersAreKept()
    {
        using var folder = new TempFolder("committer");
        using var store = CentralStore.Open(folder.File("central.db"));
        await store.StoreBatchAsync([], [Record("stored")], DateTimeOffset.UnixEpoch, CancellationToken.None);
        // A later group saves a chunk of the stored record (it arrived late) beside one of a record still waiting.
        await store.StoreBatchAsync([new SavePendingChunk(Key("stored"), Header, [1, 2, 3]), new SavePendingChunk(Key("waiting"), Header, [4, 5, 6])], [], DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.That(await store.ReadPendingChunksAsync(CancellationToken.None), Has.Count.EqualTo(2));

        Assert.That(await store.DeleteSettledPendingAsync(CancellationToken.None), Is.EqualTo(1));
        Assert.That((await store.ReadPendingChunksAsync(CancellationToken.None)).Select(c => c.Key.RecordId), Is.EqualTo(new[] { "waiting" }));
        Assert.That(await store.DeleteSettledPendingAsync(CancellationToken.None), Is.Zero, "nothing left to sweep");
    }

    private static readonly ChunkHeader Header = new(0, 2, 0, 6, new string('0', 64), new string('1', 64));

    private static AttachmentKey Key(string recordId) => new("s", "k", recordId, "a");

    private static CompletedRecord Record(string id) =>
        new(new RecordEnvelope("s", "k", id, 1, "checkin", "{}", []), []);

    /// <summary>A store whose commits wait until released, and can fail once.</summary>
    private sealed class GatedStore : ICentralStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _started;

        public bool FailNext { get; set; }

        public int Started => Volatile.Read(ref _started);

        public ConcurrentQueue<List<string>> Groups { get; } = new();

        public bool Shared => false;

        public void Release() => _gate.TrySetResult();

        public async Task<IReadOnlyList<bool>> StoreBatchAsync(IReadOnlyList<PendingWrite> pending, IReadOnlyList<CompletedRecord> records, DateTimeOffset storedAt, CancellationToken ct)
        {
            Interlocked.Increment(ref _started);
            await _gate.Task;
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk full");
            }

            Groups.Enqueue([.. records.Select(r => r.Envelope.RecordId)]);
            return [.. records.Select(_ => true)];
        }

        public Task<DateTimeOffset?> FindStoredAtAsync(string recordId, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyDictionary<string, DateTimeOffset>> FindStoredAtAsync(IReadOnlyCollection<string> recordIds, CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<StoredRecord>> ReadAllAsync(CancellationToken ct) => throw new NotSupportedException();

        public Task<byte[]?> ReadAttachmentAsync(string recordId, string attachmentId, CancellationToken ct) => throw new NotSupportedException();

        public Task SavePendingChunkAsync(AttachmentKey key, ChunkHeader header, byte[] content, CancellationToken ct) => throw new NotSupportedException();

        public Task DeletePendingAsync(RecordKey record, string? attachmentId, CancellationToken ct) => throw new NotSupportedException();

        public Task<int> DeleteSettledPendingAsync(CancellationToken ct) => throw new NotSupportedException();

        public Task<IReadOnlyList<PendingChunk>> ReadPendingChunksAsync(CancellationToken ct) => throw new NotSupportedException();

        public Task SavePendingRecordAsync(RecordEnvelope record, CancellationToken ct) => throw new NotSupportedException();

        public Task<(RecordEnvelope? Record, IReadOnlyList<PendingChunk> Chunks)> ReadPendingAsync(RecordKey record, CancellationToken ct) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
