using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>What sync reads and records: pending records and attachment chunks, acknowledgements, chunk progress, sends and stats.</summary>
public sealed partial class OutboxStore
{
    /// <summary>Records to send, in drain order (priority, then seq), skipping those in <paramref name="exclude"/>.</summary>
    public async Task<IReadOnlyList<StoredRecord>> ReadPendingAsync(int max, IReadOnlySet<long> exclude, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exclude);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var records = new List<StoredRecord>();
            using var query = Command(null, """
                SELECT seq, record_id, kind, priority, schema_version, created_at, monotonic_ms, boot_id, body, bytes, attempts
                FROM records WHERE expires_at IS NULL OR expires_at > $now ORDER BY priority, seq LIMIT $limit;
                """);
            query.Parameters.AddWithValue("$limit", max + exclude.Count);
            query.Parameters.AddWithValue("$now", FormatTime(_timeProvider.GetUtcNow()));
            using (var reader = query.ExecuteReader())
            {
                while (reader.Read() && records.Count < max)
                {
                    var seq = reader.GetInt64(0);
                    if (exclude.Contains(seq))
                    {
                        continue;
                    }

                    records.Add(new StoredRecord(
                        seq, reader.GetString(1), RecordKinds.FromWireName(reader.GetString(2)), (RecordPriority)reader.GetInt32(3),
                        reader.GetInt32(4), ParseTime(reader.GetString(5)), reader.GetInt64(6), reader.GetString(7), reader.GetString(8),
                        reader.GetInt64(9), reader.GetInt32(10), []));
                }
            }

            for (var i = 0; i < records.Count; i++)
            {
                records[i] = records[i] with { Attachments = ReadAttachments(records[i].Seq) };
            }

            return records;
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<StoredAttachment> ReadAttachments(long seq)
    {
        var attachments = new List<StoredAttachment>();
        using var query = Command(null, "SELECT id, attachment_id, content_type, length, sha256, biometric, acked_chunks, sealed FROM attachments WHERE record_seq = $seq ORDER BY id;");
        query.Parameters.AddWithValue("$seq", seq);
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            attachments.Add(new StoredAttachment(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4), reader.GetInt64(5) == 1, reader.GetInt32(6), reader.GetInt64(7) == 1));
        }

        return attachments;
    }

    /// <summary>
    /// Reads <paramref name="count"/> bytes of an attachment from <paramref name="offset"/> (one chunk); null when
    /// the record is gone because the platform acknowledged it while it was being sent again.
    /// </summary>
    public async Task<byte[]?> ReadAttachmentChunkAsync(StoredAttachment attachment, long offset, int count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using (var exists = Command(null, "SELECT 1 FROM attachments WHERE id = $id;"))
            {
                exists.Parameters.AddWithValue("$id", attachment.RowId);
                if (exists.ExecuteScalar() is null)
                {
                    return null;
                }
            }

            return AttachmentStreams.Read(_connection, attachment, offset, count, _cipher);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deletes records the platform has confirmed (attachments go with them; <c>secure_delete</c> overwrites
    /// the freed pages, so biometric data does not linger). Returns the records that were deleted;
    /// ids not in the outbox (already deleted, or never ours) are skipped.
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
            using var delete = Command(transaction, "DELETE FROM records WHERE record_id = $id RETURNING seq, bytes;");
            var idParameter = delete.Parameters.Add("$id", SqliteType.Text);
            using var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'acknowledged', $id, NULL);");
            audit.Parameters.AddWithValue("$at", FormatTime(_timeProvider.GetUtcNow()));
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
    /// forward; an <paramref name="exact"/> value (the platform's retry request) may move it back.
    /// </summary>
    public async Task SetChunkProgressAsync(string recordId, string attachmentId, int receivedChunks, bool exact, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var update = Command(null, exact
                ? "UPDATE attachments SET acked_chunks = $n WHERE attachment_id = $aid AND record_seq = (SELECT seq FROM records WHERE record_id = $rid);"
                : "UPDATE attachments SET acked_chunks = MAX(acked_chunks, $n) WHERE attachment_id = $aid AND record_seq = (SELECT seq FROM records WHERE record_id = $rid);");
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

    /// <summary>Counts a send attempt, so the audit can tell how often a record went out before it was confirmed.</summary>
    public async Task MarkSentAsync(IReadOnlyCollection<long> seqs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var transaction = _connection.BeginTransaction();
            using var update = Command(transaction, "UPDATE records SET attempts = attempts + 1, last_sent_at = $at WHERE seq = $seq;");
            update.Parameters.AddWithValue("$at", FormatTime(_timeProvider.GetUtcNow()));
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
            _gate.Release();
        }
    }

    public async Task<OutboxStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var query = Command(null, """
                SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(created_at),
                       COALESCE(SUM(kind = 'checkin'), 0), COALESCE(SUM(kind = 'alert'), 0) FROM records;
                """);
            using var reader = query.ExecuteReader();
            reader.Read();
            return new OutboxStats(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : ParseTime(reader.GetString(2)), reader.GetInt64(3), reader.GetInt64(4));
        }
        finally
        {
            _gate.Release();
        }
    }
}
