using System.Globalization;
using System.Security.Cryptography;
using Kiosk.Agent.Outbox.Encryption;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// The outbox: every record the kiosk must deliver, kept in SQLite until the platform acknowledges it.
/// Thread safety: all members may be called concurrently; they are serialised on one connection
/// (SQLite connections are single-threaded), so commits are never interleaved.
/// </summary>
public sealed class OutboxStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private readonly long _bootTimestamp;
    private readonly OutboxBudget _budget;
    private readonly AttachmentCipher? _cipher;
    private long _usedBytes;
    private bool _aboveWarning;

    private OutboxStore(SqliteConnection connection, TimeProvider timeProvider, string bootId, OutboxBudget budget, byte[]? key)
    {
        _cipher = key is null ? null : new AttachmentCipher(key);
        _connection = connection;
        _timeProvider = timeProvider;
        _bootTimestamp = timeProvider.GetTimestamp();
        _budget = budget;
        BootId = bootId;
        using var used = Command(null, "SELECT COALESCE(SUM(bytes), 0) FROM records;");
        _usedBytes = Convert.ToInt64(used.ExecuteScalar(), CultureInfo.InvariantCulture);
        _aboveWarning = _usedBytes >= budget.WarningBytes;
    }

    /// <summary>Raised (outside any lock) when usage crosses the warning mark, in either direction.</summary>
    public event EventHandler<OutboxUsage>? WarningChanged;

    public OutboxUsage Usage => new(Interlocked.Read(ref _usedBytes), _budget.BudgetBytes, _aboveWarning);

    /// <summary>Identifies this run of the agent; with <c>monotonicMs</c> it orders records without trusting the wall clock.</summary>
    public string BootId { get; }

    public string Path => _connection.DataSource;

    /// <summary>Set when the file was damaged at open and salvaged; the agent raises an alert from it.</summary>
    public OutboxRecoveryReport? Recovery { get; private init; }

    /// <summary>Opens (creating if needed) the outbox file, applies migrations and sets the durability pragmas.</summary>
    /// <param name="key">The outbox key (<see cref="OutboxKey"/>); with it, biometric attachments are sealed at rest. The agent always passes one.</param>
    public static OutboxStore Open(string path, TimeProvider timeProvider, string? bootId = null, OutboxBudget? budget = null, byte[]? key = null)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        // A damaged file is moved aside and its readable records salvaged into a fresh one before we open it.
        var recovery = OutboxRecovery.RecoverIfDamaged(path, timeProvider);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA foreign_keys = ON;
                PRAGMA secure_delete = ON;
                PRAGMA busy_timeout = 5000;
                """);
            OutboxMigrations.Apply(connection);
            return new OutboxStore(connection, timeProvider, bootId ?? Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("D"), budget ?? OutboxBudget.Default, key) { Recovery = recovery };
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Commits one record with all its attachments and an audit entry in one transaction with
    /// <c>synchronous=FULL</c>: when this returns, the record survives a crash or power loss;
    /// when it throws, nothing of it is stored. Above the high-water mark, expired and low-priority rows are
    /// evicted first; a record that still does not fit is refused with <see cref="OutboxFullException"/>.
    /// </summary>
    public async Task<CommitReceipt> CommitAsync(NewRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var started = _timeProvider.GetTimestamp();
        var recordId = RecordIds.New(_timeProvider);
        var createdAt = _timeProvider.GetUtcNow();
        var monotonicMs = (long)_timeProvider.GetElapsedTime(_bootTimestamp).TotalMilliseconds;
        var body = record.Body.ToJsonString();
        var size = body.Length + record.Attachments.Sum(a => a.Length);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_usedBytes + size > _budget.HighWaterBytes)
            {
                Evict(_usedBytes + size - _budget.HighWaterBytes, createdAt);
            }

            if (_usedBytes + size > _budget.LimitFor(record.Kind))
            {
                throw new OutboxFullException(record.Kind, _usedBytes, size, _budget.LimitFor(record.Kind));
            }

            using var transaction = _connection.BeginTransaction();
            long seq;
            using (var insert = Command(transaction, """
                INSERT INTO records(record_id, kind, priority, schema_version, created_at, monotonic_ms, boot_id, body, bytes, expires_at)
                VALUES ($id, $kind, $priority, 1, $created, $mono, $boot, $body, $bytes, $expires)
                RETURNING seq;
                """))
            {
                insert.Parameters.AddWithValue("$id", recordId);
                insert.Parameters.AddWithValue("$kind", record.Kind.WireName());
                insert.Parameters.AddWithValue("$priority", (int)record.Kind.DefaultPriority());
                insert.Parameters.AddWithValue("$created", FormatTime(createdAt));
                insert.Parameters.AddWithValue("$mono", monotonicMs);
                insert.Parameters.AddWithValue("$boot", BootId);
                insert.Parameters.AddWithValue("$body", body);
                insert.Parameters.AddWithValue("$bytes", size);
                insert.Parameters.AddWithValue("$expires", record.TimeToLive is { } ttl ? FormatTime(createdAt + ttl) : DBNull.Value);
                seq = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            }

            foreach (var attachment in record.Attachments)
            {
                cancellationToken.ThrowIfCancellationRequested();
                StoreAttachment(transaction, seq, attachment);
            }

            using (var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'committed', $id, $detail);"))
            {
                audit.Parameters.AddWithValue("$at", FormatTime(createdAt));
                audit.Parameters.AddWithValue("$id", recordId);
                audit.Parameters.AddWithValue("$detail", $"{record.Kind.WireName()} seq={seq} attachments={record.Attachments.Count}");
                audit.ExecuteNonQuery();
            }

            transaction.Commit();
            Interlocked.Add(ref _usedBytes, size);
            return new CommitReceipt(recordId, seq, createdAt, _timeProvider.GetElapsedTime(started));
        }
        finally
        {
            _gate.Release();
            CheckWarning();
        }
    }

    /// <summary>Deletes expired rows, then telemetry and audit rows oldest first, until <paramref name="needed"/> bytes are free. Never check-ins or alerts.</summary>
    private void Evict(long needed, DateTimeOffset now)
    {
        using var transaction = _connection.BeginTransaction();
        using var candidates = Command(transaction, $"""
            SELECT seq, record_id, bytes, expires_at IS NOT NULL AND expires_at <= $now AS expired FROM records
            WHERE (expires_at IS NOT NULL AND expires_at <= $now) OR priority >= {(int)RecordPriority.Audit}
            ORDER BY expired DESC, priority DESC, seq;
            """);
        candidates.Parameters.AddWithValue("$now", FormatTime(now));
        var victims = new List<(long Seq, string RecordId, long Bytes, bool Expired)>();
        long freed = 0;
        using (var reader = candidates.ExecuteReader())
        {
            while (freed < needed && reader.Read())
            {
                victims.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3) == 1));
                freed += reader.GetInt64(2);
            }
        }

        using var delete = Command(transaction, "DELETE FROM records WHERE seq = $seq;");
        var seqParameter = delete.Parameters.Add("$seq", SqliteType.Integer);
        using var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'evicted', $id, $detail);");
        audit.Parameters.AddWithValue("$at", FormatTime(now));
        var idParameter = audit.Parameters.Add("$id", SqliteType.Text);
        var detailParameter = audit.Parameters.Add("$detail", SqliteType.Text);
        foreach (var victim in victims)
        {
            seqParameter.Value = victim.Seq;
            delete.ExecuteNonQuery();
            idParameter.Value = victim.RecordId;
            detailParameter.Value = victim.Expired ? "expired" : "low priority, outbox above high-water mark";
            audit.ExecuteNonQuery();
        }

        transaction.Commit();
        Interlocked.Add(ref _usedBytes, -freed);
    }

    /// <summary>Deletes rows whose time to live has passed (telemetry only ever has one). Returns how many.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var purge = Command(null, "DELETE FROM records WHERE expires_at IS NOT NULL AND expires_at <= $now RETURNING bytes;");
            purge.Parameters.AddWithValue("$now", FormatTime(_timeProvider.GetUtcNow()));
            var count = 0;
            long freed = 0;
            using (var reader = purge.ExecuteReader())
            {
                while (reader.Read())
                {
                    count++;
                    freed += reader.GetInt64(0);
                }
            }

            Interlocked.Add(ref _usedBytes, -freed);
            return count;
        }
        finally
        {
            _gate.Release();
            CheckWarning();
        }
    }

    private void CheckWarning()
    {
        var above = Interlocked.Read(ref _usedBytes) >= _budget.WarningBytes;
        if (above != _aboveWarning)
        {
            _aboveWarning = above;
            WarningChanged?.Invoke(this, Usage);
        }
    }

    private void StoreAttachment(SqliteTransaction transaction, long seq, NewAttachment attachment)
    {
        long rowId;
        using (var insert = Command(transaction, """
            INSERT INTO attachments(record_seq, attachment_id, content_type, length, sha256, biometric, sealed, data)
            VALUES ($seq, $aid, $type, $length, '', $bio, $sealed, zeroblob($stored)) RETURNING id;
            """))
        {
            insert.Parameters.AddWithValue("$seq", seq);
            insert.Parameters.AddWithValue("$aid", attachment.AttachmentId);
            insert.Parameters.AddWithValue("$type", attachment.ContentType);
            insert.Parameters.AddWithValue("$length", attachment.Length);
            insert.Parameters.AddWithValue("$bio", attachment.Biometric ? 1 : 0);
            insert.Parameters.AddWithValue("$sealed", AttachmentStreams.Seals(attachment, _cipher) ? 1 : 0);
            insert.Parameters.AddWithValue("$stored", AttachmentStreams.StoredLength(attachment, _cipher));
            rowId = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        // Streamed straight into the zeroblob: a 5 MB attachment never sits in memory twice.
        var (sha256, storedSha256) = AttachmentStreams.Write(_connection, rowId, attachment, _cipher);
        using var update = Command(transaction, "UPDATE attachments SET sha256 = $sha, stored_sha256 = $stored WHERE id = $id;");
        update.Parameters.AddWithValue("$sha", sha256);
        update.Parameters.AddWithValue("$stored", storedSha256);
        update.Parameters.AddWithValue("$id", rowId);
        update.ExecuteNonQuery();
    }

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

    /// <summary>The last seq ever handed out (AUTOINCREMENT keeps it across deletes and restarts).</summary>
    public long LastSeq()
    {
        using var query = Command(null, "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'records'), 0);");
        _gate.Wait();
        try
        {
            return Convert.ToInt64(query.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string FormatTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    internal static DateTimeOffset ParseTime(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }
}
