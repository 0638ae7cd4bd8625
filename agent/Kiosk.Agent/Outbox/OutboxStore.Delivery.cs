using System.Globalization;
using System.Security.Cryptography;
using Kiosk.Agent.Outbox.Encryption;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>What sync reads and records: pending records and attachment chunks, acknowledgements, chunk progress, sends and stats.</summary>
public sealed partial class OutboxStore
{
    /// <summary>
    /// Records to send with their bodies, in drain order (priority, then seq), skipping those in <paramref name="exclude"/>
    /// and quarantined ones; rows that cannot be read come back apart, for the sync to quarantine.
    /// </summary>
    public async Task<(IReadOnlyList<OutboxRecord> Records, IReadOnlyList<UnreadableRecord> Unreadable)> ReadPendingAsync(int max, IReadOnlySet<long> exclude, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        // One snapshot for the records and their attachments.
        return await ReadSnapshotAsync(() => OutboxRows.Read(_reader, _timeProvider.GetUtcNow(), max, includeBody: true, exclude), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The JSON body of <paramref name="record"/> (read with its body), opened with the outbox key when sealed.</summary>
    /// <exception cref="CryptographicException">The sealed body was altered on disk, or the key was replaced.</exception>
    public byte[] OpenBody(OutboxRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return RecordBodies.Open(record.Body ?? throw new ArgumentException("the record was read without its body", nameof(record)), record.RecordId, _cipher);
    }

    /// <summary>
    /// Reads <paramref name="count"/> bytes of an attachment from <paramref name="offset"/> (one chunk); null when
    /// the record is gone because the platform acknowledged it while it was being sent again.
    /// </summary>
    public async Task<byte[]?> ReadAttachmentChunkAsync(OutboxAttachment attachment, long offset, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        // One snapshot: the row checked is the row read, even if an ack deletes it meanwhile.
        return await ReadSnapshotAsync(() =>
        {
            using (var exists = _reader.CreateCommand())
            {
                exists.CommandText = "SELECT 1 FROM attachments WHERE id = $id;";
                exists.Parameters.AddWithValue("$id", attachment.RowId);
                if (exists.ExecuteScalar() is null)
                {
                    return null;
                }
            }

            return AttachmentStreams.Read(_reader, attachment, offset, count, _cipher);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes records the platform has confirmed (attachments go with them; <c>secure_delete</c> overwrites
    /// the freed pages, so biometric data does not linger). Returns the records that were deleted. Only a record that
    /// was sent in full (<see cref="MarkSentAsync"/>: its message and every chunk accepted by the broker, on this
    /// connection or an earlier one) can be confirmed: ids not in the outbox, never ours, or never sent in full are skipped.
    /// </summary>
    public async Task<IReadOnlyList<(long Seq, string RecordId)>> AcknowledgeAsync(IReadOnlyCollection<string> recordIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recordIds);
        var deleted = new List<(long Seq, string RecordId)>();
        long freed = 0;
        if (recordIds.Count == 0)
        {
            return deleted;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            using var delete = Command(transaction, "DELETE FROM records WHERE record_id = $id AND attempts > 0 RETURNING seq, bytes;");
            var idParameter = delete.Parameters.Add("$id", SqliteType.Text);
            using var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'acknowledged', $id, NULL);");
            audit.Parameters.AddWithValue("$at", OutboxTime.Format(_timeProvider.GetUtcNow()));
            var auditId = audit.Parameters.Add("$id", SqliteType.Text);
            foreach (var recordId in recordIds)
            {
                idParameter.Value = recordId;
                long seq, bytes;
                using (var reader = delete.ExecuteReader())
                {
                    if (!reader.Read())
                    {
                        continue;
                    }

                    seq = reader.GetInt64(0);
                    bytes = reader.GetInt64(1);
                }

                deleted.Add((seq, recordId));
                freed += bytes;
                auditId.Value = recordId;
                audit.ExecuteNonQuery();
            }

            transaction.Commit();
            Interlocked.Add(ref _usedBytes, -freed);
            return deleted;
        }
        finally
        {
            _gate.Release();
            CheckWarning();
        }
    }

    /// <summary>
    /// Records how many leading chunks of an attachment the platform holds. Progress reports only move it
    /// forward; an <paramref name="exact"/> value (the platform's retry request) may move it back. A count beyond the
    /// attachment's chunks (of <paramref name="chunkBytes"/> each) is not the platform's to claim and changes nothing.
    /// </summary>
    public async Task SetChunkProgressAsync(string recordId, string attachmentId, int receivedChunks, bool exact, int chunkBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkBytes);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var update = Command(null, exact
                ? "UPDATE attachments SET acked_chunks = $n WHERE attachment_id = $aid AND record_seq = (SELECT seq FROM records WHERE record_id = $rid) AND $n <= (length + $chunk - 1) / $chunk;"
                : "UPDATE attachments SET acked_chunks = MAX(acked_chunks, $n) WHERE attachment_id = $aid AND record_seq = (SELECT seq FROM records WHERE record_id = $rid) AND $n <= (length + $chunk - 1) / $chunk;");
            update.Parameters.AddWithValue("$chunk", chunkBytes);
            update.Parameters.AddWithValue("$aid", attachmentId);
            update.Parameters.AddWithValue("$rid", recordId);
            update.Parameters.AddWithValue("$n", Math.Max(0, receivedChunks));
            update.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Counts a send attempt once the broker has accepted the record's message and every chunk: from then on the
    /// platform's ack may delete it, and the audit can tell how often a record went out before it was confirmed.
    /// </summary>
    public async Task MarkSentAsync(IReadOnlyCollection<long> seqs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        // A send count need not survive a power cut: lost, the record goes out once more and the platform deduplicates
        // it. So this commit goes into the WAL without its own fsync (synchronous=NORMAL); the next check-in or ack
        // commit (FULL) flushes it. One fsync per sent message would otherwise pace a drain (thousands of messages).
        try
        {
            using (var relaxed = Command(null, "PRAGMA synchronous = NORMAL;"))
            {
                relaxed.ExecuteNonQuery();
            }

            using var transaction = _connection.BeginTransaction();
            using var update = Command(transaction, "UPDATE records SET attempts = attempts + 1, last_sent_at = $at WHERE seq = $seq;");
            update.Parameters.AddWithValue("$at", OutboxTime.Format(_timeProvider.GetUtcNow()));
            var seqParameter = update.Parameters.Add("$seq", SqliteType.Integer);
            foreach (var seq in seqs)
            {
                seqParameter.Value = seq;
                update.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            using (var strict = Command(null, "PRAGMA synchronous = FULL;"))
            {
                strict.ExecuteNonQuery();
            }

            _gate.Release();
        }
    }

    /// <summary>What waits to be sent (see <see cref="OutboxRows.Totals"/>): the same figures the queue views show.</summary>
    public async Task<OutboxTotals> GetTotalsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return OutboxRows.Totals(_connection, _timeProvider.GetUtcNow());
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="read"/> on the read-only connection inside one read transaction, so every statement in it
    /// sees the same commit. Begun as SQL rather than with BeginTransaction: the shared row readers (OutboxRows) create
    /// their own commands, which Microsoft.Data.Sqlite would refuse inside a transaction object they were not given.
    /// </summary>
    private async Task<T> ReadSnapshotAsync<T>(Func<T> read, CancellationToken cancellationToken)
    {
        await _readGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Execute(_reader, "BEGIN DEFERRED;");
            try
            {
                return read();
            }
            finally
            {
                Execute(_reader, "COMMIT;");
            }
        }
        finally
        {
            _readGate.Release();
        }
    }
}
