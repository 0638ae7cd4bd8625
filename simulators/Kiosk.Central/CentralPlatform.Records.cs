using Kiosk.Central.Connection;
using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;
using Kiosk.Central.Storage;

namespace Kiosk.Central;

/// <summary>Records and chunks: reassembly, the pending chunks kept in the database, progress, storing and acknowledging.</summary>
public sealed partial class CentralPlatform
{
    private async Task HandleRecordsAsync(ReceivedMessage message, KioskTopic topic)
    {
        var batch = RecordBatchReader.Read(topic, message.Payload);
        foreach (var problem in batch.Problems)
        {
            Malformed(message.Topic, problem);
        }

        // One query for the whole batch rather than one per record.
        var alreadyStored = await _store.FindStoredAtAsync([.. batch.Records.Select(r => r.RecordId)], CancellationToken.None);
        foreach (var record in batch.Records)
        {
            _counters.RecordReceived();
            if (alreadyStored.TryGetValue(record.RecordId, out var storedAt))
            {
                _counters.DuplicateDropped();
                if (!_store.Shared)
                {
                    _assembler.Forget(record.SiteId, record.KioskId, record.RecordId);
                }

                await ForgetPendingAsync(new RecordKey(record.SiteId, record.KioskId, record.RecordId));
                Announce(record, isDuplicate: true, storedAt);
                continue;
            }

            if (_store.Shared && record.Attachments.All(a => a.ChunkCount == 0))
            {
                // Nothing to wait for; the in-memory assembler is not used by a shared-group instance.
                _committer.Enqueue(new CompletedRecord(record, [.. record.Attachments.Select(a => new AssembledAttachment(a, []))]));
                continue;
            }

            if (_store.Shared)
            {
                // Its chunks may be arriving at other instances: the store is where the pieces meet.
                await _store.SavePendingRecordAsync(record, CancellationToken.None);
                await AssembleSharedAsync(message.Topic, new RecordKey(record.SiteId, record.KioskId, record.RecordId), null);
                continue;
            }

            await ApplyAsync(message.Topic, _assembler.AddRecord(record));
        }
    }

    private async Task HandleChunkAsync(ReceivedMessage message, KioskTopic topic)
    {
        if (!ContractFormats.IsUuid(topic.RecordId!))
        {
            Malformed(message.Topic, "the recordId segment is not a UUID");
            return;
        }

        var header = ChunkHeaderReader.Read(message.UserProperties, message.Payload.Length, out var problem);
        if (header is null)
        {
            Malformed(message.Topic, problem);
            return;
        }

        _counters.ChunkReceived();
        // A record the assembler is waiting for was not stored when it arrived and is not stored while it waits (a
        // single instance stores only what its assembler completes): no need to ask the database.
        var waitedFor = !_store.Shared && _assembler.IsWaitingFor(topic.SiteId, topic.KioskId, topic.RecordId!);
        if (_committer.IsCommitting(topic.RecordId!) || (!waitedFor && await _store.FindStoredAtAsync(topic.RecordId!, CancellationToken.None) is not null))
        {
            // A resend of a chunk of a record already stored (or being stored): nothing to do, its ack comes from that.
            return;
        }

        var key = new AttachmentKey(topic.SiteId, topic.KioskId, topic.RecordId!, topic.AttachmentId!);
        var data = message.Payload.ToArray();
        if (_store.Shared)
        {
            await HandleSharedChunkAsync(message.Topic, key, header, data);
            return;
        }

        var outcome = _assembler.AddChunk(key.SiteId, key.KioskId, key.RecordId, key.AttachmentId, header, data);
        if (outcome.ContiguousChunks is { } contiguous)
        {
            // Still waiting for its record or its siblings: saved in the next group's transaction, and reported as held
            // only once that is durable (the kiosk will not send it again), unless the assembler let it go meanwhile.
            var droppedNow = outcome.DroppedAttachments.Contains(key) || outcome.DroppedRecords.Contains(new RecordKey(key.SiteId, key.KioskId, key.RecordId));
            _committer.Pending(new SavePendingChunk(key, header, data), droppedNow ? null : () => _progress.Advance(key, contiguous));
        }

        await ApplyAsync(message.Topic, outcome);
    }

    /// <summary>Puts back the chunks an earlier run kept, so uploads resume where they stopped.</summary>
    private async Task RestorePendingChunksAsync(CancellationToken ct)
    {
        var chunks = await _store.ReadPendingChunksAsync(ct);
        foreach (var chunk in chunks)
        {
            var k = chunk.Key;
            await ApplyAsync("(restored chunk)", _assembler.AddChunk(k.SiteId, k.KioskId, k.RecordId, k.AttachmentId, chunk.Header, chunk.Content));
        }

        if (chunks.Count > 0)
        {
            _log.WriteLine($"central: restored {chunks.Count} pending chunks of {_assembler.PendingRecords} incomplete records");
        }
    }

    private async Task ApplyAsync(string messageTopic, AssemblyOutcome outcome)
    {
        foreach (var problem in outcome.MalformedProblems)
        {
            Malformed(messageTopic, problem);
        }

        // The in-memory assembler's drops: after the pending writes queued before them, in the same order.
        foreach (var dropped in outcome.DroppedAttachments)
        {
            _committer.Pending(new DeletePending(new RecordKey(dropped.SiteId, dropped.KioskId, dropped.RecordId), dropped.AttachmentId));
            _progress.Forget(dropped);
        }

        foreach (var dropped in outcome.DroppedRecords)
        {
            await ForgetPendingAsync(dropped);
        }

        foreach (var failure in outcome.HashFailures)
        {
            _counters.HashFailure();
            RequestResend(messageTopic, failure);
        }

        foreach (var failure in outcome.MissingChunks)
        {
            RequestResend(messageTopic, failure);
        }

        if (outcome.Completed is { } completed)
        {
            // Group commit: the writer stores it with whatever else is waiting, then OnCommitted acknowledges it.
            _committer.Enqueue(completed);
        }
    }

    /// <summary>After the group holding <paramref name="record"/> committed: count it and acknowledge it.</summary>
    private void OnCommitted(CompletedRecord record, bool stored, DateTimeOffset storedAt)
    {
        var e = record.Envelope;
        _progress.Forget(new RecordKey(e.SiteId, e.KioskId, e.RecordId));
        if (stored)
        {
            _counters.RecordStored();
        }
        else
        {
            _counters.DuplicateDropped();
        }

        Announce(e, isDuplicate: !stored, storedAt);
    }

    /// <summary>
    /// A chunk under a shared subscription: checked against its own SHA-256, kept in the shared store, then the record
    /// is assembled from whatever every instance has kept so far. Progress is not reported in this mode (an instance
    /// sees only its share of the chunks): an interrupted attachment is sent again from its first chunk.
    /// </summary>
    private async Task HandleSharedChunkAsync(string messageTopic, AttachmentKey key, Messages.ChunkHeader header, byte[] data)
    {
        if (!Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)).Equals(header.ChunkSha256, StringComparison.Ordinal))
        {
            _counters.HashFailure();
            await _store.DeletePendingAsync(new RecordKey(key.SiteId, key.KioskId, key.RecordId), key.AttachmentId, CancellationToken.None);
            RequestResend(messageTopic, new AttachmentFailure(key.SiteId, key.KioskId, key.RecordId, key.AttachmentId, $"chunkSha256 mismatch at chunk {header.Index}"));
            return;
        }

        await _store.SavePendingChunkAsync(key, header, data, CancellationToken.None);
        await AssembleSharedAsync(messageTopic, new RecordKey(key.SiteId, key.KioskId, key.RecordId), (key.AttachmentId, header.Index));
    }

    /// <summary>
    /// Reads every piece of the record the instances have kept and, when the record and all its chunks are there and
    /// verify, queues it for the group commit. Each instance checks after its own write is committed, so of two
    /// instances writing the last two pieces at once at least one sees both; when both do, the records table's key
    /// stores it once and both acknowledge it. <paramref name="arrived"/> is the chunk this instance just kept: a chunk
    /// the record disowns is reported here, once, and dropped.
    /// </summary>
    private async Task AssembleSharedAsync(string messageTopic, RecordKey record, (string AttachmentId, int Index)? arrived)
    {
        var (envelope, chunks) = await _store.ReadPendingAsync(record, CancellationToken.None);
        if (envelope is null)
        {
            return;
        }

        var assembler = new ChunkAssembler(long.MaxValue, TextWriter.Null);
        var outcome = assembler.AddRecord(envelope);
        foreach (var chunk in chunks)
        {
            var step = assembler.AddChunk(record.SiteId, record.KioskId, record.RecordId, chunk.Key.AttachmentId, chunk.Header, chunk.Content);
            if (step.MalformedProblems.Count > 0 && arrived == (chunk.Key.AttachmentId, chunk.Header.Index))
            {
                step.MalformedProblems.ForEach(problem => Malformed(messageTopic, problem));
                await _store.DeletePendingAsync(record, chunk.Key.AttachmentId, CancellationToken.None);
            }

            outcome = step.Completed is null && step.HashFailures.Count == 0 ? outcome : step;
        }

        foreach (var failure in outcome.HashFailures)
        {
            _counters.HashFailure();
            await _store.DeletePendingAsync(record, failure.AttachmentId, CancellationToken.None);
            RequestResend(messageTopic, failure);
        }

        if (outcome.Completed is { } completed)
        {
            _committer.Enqueue(completed);
        }
    }

    /// <summary>
    /// Shared stores: every <see cref="SettledSweepInterval"/>, deletes the pending pieces of records already stored. A
    /// piece one instance saves while another commits its record (after that commit deleted what it saw) would otherwise
    /// stay for good: nothing else reads a stored record's pieces again.
    /// </summary>
    private async Task SweepSettledPendingAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(SettledSweepInterval, _time, ct);
                var deleted = await _store.DeleteSettledPendingAsync(ct);
                if (deleted > 0)
                {
                    _log.WriteLine($"central: deleted {deleted} pending pieces of records already stored (saved late, beside their record's commit)");
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed sweep is tried again at the next interval; the pieces only take room meanwhile.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _log.WriteLine($"central: sweeping the pending pieces of stored records failed ({ex.GetType().Name}: {ex.Message}); trying again in {SettledSweepInterval.TotalSeconds:0} s");
            }
        }
    }

    private async Task ForgetPendingAsync(RecordKey record)
    {
        if (_store.Shared)
        {
            await _store.DeletePendingAsync(record, null, CancellationToken.None);
        }
        else
        {
            // Queued behind this instance's own pending writes, so a chunk saved before it is not left behind.
            _committer.Pending(new DeletePending(record, null));
        }

        _progress.Forget(record);
    }

    private void RequestResend(string messageTopic, AttachmentFailure failure)
    {
        _log.WriteLine($"central: {messageTopic}: {failure.Reason} for {failure.RecordId}/{failure.AttachmentId}; asking the kiosk to resend it");
        if (!_acknowledgementsPaused)
        {
            _batcher.RequestRetry(failure);
        }
    }

    private void ReportProgress(AttachmentKey key, int receivedChunks)
    {
        if (!_acknowledgementsPaused)
        {
            _batcher.ReportProgress(key, receivedChunks);
        }
    }

    private void Announce(RecordEnvelope record, bool isDuplicate, DateTimeOffset storedAt)
    {
        // Whether to acknowledge is decided as the record is stored, before anyone is told it is: a subscriber that
        // resumes acknowledgements on hearing of this record must not get it acknowledged.
        var acknowledge = !_acknowledgementsPaused;
        TakeCommandResult(record);
        try
        {
            RecordStored?.Invoke(this, new RecordStoredEventArgs(record.SiteId, record.KioskId, record.RecordId, record.Kind, record.Seq, isDuplicate, storedAt));
        }
#pragma warning disable CA1031 // A subscriber's bug must not cost the kiosk its ack.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.WriteLine($"central: a RecordStored handler threw {ex.GetType().Name}: {ex.Message}");
        }

        if (acknowledge)
        {
            _batcher.Acknowledge(record.SiteId, record.KioskId, record.RecordId);
        }
    }
}
