using System.Globalization;
using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;
using Microsoft.Data.Sqlite;

namespace Kiosk.Central.Storage;

/// <summary>
/// The simulator's SQLite file: records and their attachments, written together in one transaction
/// (WAL, synchronous=FULL) so an ack never names a record that a crash could lose; and the verified chunks of
/// attachments not complete yet (CentralStore.PendingChunks.cs).
/// Thread-safe: every call opens its own pooled connection; writes come from one caller at a time.
/// One instance only (<see cref="Shared"/> is false): the pieces of a record are assembled in memory.
/// </summary>
internal sealed partial class CentralStore : ICentralStore
{
    private readonly string _connectionString;

    /// <summary>
    /// One writer at a time, queued here: two connections wanting SQLite's write lock at once make the loser poll with
    /// sleeps (SQLITE_BUSY), which paced a drain at tens of milliseconds per group commit.
    /// </summary>
    private readonly SemaphoreSlim _writes = new(1, 1);

    private CentralStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
    }

    public static CentralStore Open(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var store = new CentralStore(path);
        using var connection = store.Connect();
        using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS records (
                record_id TEXT NOT NULL PRIMARY KEY,
                site_id TEXT NOT NULL,
                kiosk_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                seq INTEGER NOT NULL,
                json TEXT NOT NULL,
                stored_at TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS attachments (
                record_id TEXT NOT NULL REFERENCES records(record_id),
                attachment_id TEXT NOT NULL,
                content_type TEXT NOT NULL,
                length INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                content BLOB NOT NULL,
                PRIMARY KEY (record_id, attachment_id));
            """ + PendingChunksTable;
        command.ExecuteNonQuery();
        return store;
    }

    /// <summary>When the record was stored, or null when it never was.</summary>
    public async Task<DateTimeOffset?> FindStoredAtAsync(string recordId, CancellationToken ct)
    {
        // A read on every record and chunk that arrives: a plain pooled connection, without the writers' pragmas.
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT stored_at FROM records WHERE record_id = $id";
        command.Parameters.AddWithValue("$id", recordId);
        return await command.ExecuteScalarAsync(ct) is string text ? ParseTime(text) : null;
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> FindStoredAtAsync(IReadOnlyCollection<string> recordIds, CancellationToken ct)
    {
        var found = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (recordIds.Count == 0)
        {
            return found;
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT record_id, stored_at FROM records WHERE record_id IN (SELECT value FROM json_each($ids))";
        command.Parameters.AddWithValue("$ids", System.Text.Json.JsonSerializer.Serialize(recordIds));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found[reader.GetString(0)] = ParseTime(reader.GetString(1));
        }

        return found;
    }

    public bool Shared => false;

    public Task<IReadOnlyList<bool>> StoreBatchAsync(IReadOnlyList<PendingWrite> pending, IReadOnlyList<CompletedRecord> records, DateTimeOffset storedAt, CancellationToken ct) =>
        Serialized(() => StoreBatchCoreAsync(pending, records, storedAt, ct), ct);

    /// <summary>
    /// Applies the pending writes, then stores the records and all their attachments and deletes their pending chunks,
    /// in one transaction: one fsync for the whole group. A record already there is left as it is (its pending chunks
    /// are deleted all the same).
    /// </summary>
    private async Task<IReadOnlyList<bool>> StoreBatchCoreAsync(IReadOnlyList<PendingWrite> pending, IReadOnlyList<CompletedRecord> records, DateTimeOffset storedAt, CancellationToken ct)
    {
        var stored = new bool[records.Count];
        await using var connection = Connect();
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
        await PendingWrites.ApplyAsync(
            pending,
            records,
            save => SavePendingChunkAsync(connection, transaction, save.Key, save.Header, save.Content, ct),
            delete => DeletePendingAsync(connection, transaction, delete.Record, delete.AttachmentId, ct));

        var at = storedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        for (var i = 0; i < records.Count; i++)
        {
            stored[i] = await StoreOneAsync(connection, transaction, records[i], at, ct);
        }

        await transaction.CommitAsync(ct);
        return stored;
    }

    private static async Task<bool> StoreOneAsync(SqliteConnection connection, SqliteTransaction transaction, CompletedRecord record, string storedAt, CancellationToken ct)
    {
        var e = record.Envelope;
        await DeletePendingAsync(connection, transaction, new RecordKey(e.SiteId, e.KioskId, e.RecordId), null, ct);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO records (record_id, site_id, kiosk_id, kind, seq, json, stored_at)
                VALUES ($id, $site, $kiosk, $kind, $seq, $json, $at) ON CONFLICT (record_id) DO NOTHING
                """;
            insert.Parameters.AddWithValue("$id", e.RecordId);
            insert.Parameters.AddWithValue("$site", e.SiteId);
            insert.Parameters.AddWithValue("$kiosk", e.KioskId);
            insert.Parameters.AddWithValue("$kind", e.Kind);
            insert.Parameters.AddWithValue("$seq", e.Seq);
            insert.Parameters.AddWithValue("$json", e.Json);
            insert.Parameters.AddWithValue("$at", storedAt);
            if (await insert.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }

        foreach (var attachment in record.Attachments)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO attachments (record_id, attachment_id, content_type, length, sha256, content)
                VALUES ($id, $attachment, $type, $length, $sha, $content)
                """;
            insert.Parameters.AddWithValue("$id", e.RecordId);
            insert.Parameters.AddWithValue("$attachment", attachment.Descriptor.AttachmentId);
            insert.Parameters.AddWithValue("$type", attachment.Descriptor.ContentType);
            insert.Parameters.AddWithValue("$length", attachment.Descriptor.Length);
            insert.Parameters.AddWithValue("$sha", attachment.Descriptor.Sha256);
            insert.Parameters.Add("$content", SqliteType.Blob).Value = attachment.Content;
            await insert.ExecuteNonQueryAsync(ct);
        }

        return true;
    }

    public Task SavePendingRecordAsync(RecordEnvelope record, CancellationToken ct) =>
        throw new NotSupportedException("a record waits in memory when one instance assembles everything");

    public Task<(RecordEnvelope? Record, IReadOnlyList<PendingChunk> Chunks)> ReadPendingAsync(RecordKey record, CancellationToken ct) =>
        throw new NotSupportedException("a record waits in memory when one instance assembles everything");

    public async Task<IReadOnlyList<StoredRecord>> ReadAllAsync(CancellationToken ct)
    {
        await using var connection = Connect();
        var attachments = new Dictionary<string, List<StoredAttachment>>(StringComparer.Ordinal);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT record_id, attachment_id, content_type, length, sha256 FROM attachments ORDER BY record_id, attachment_id";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var recordId = reader.GetString(0);
                if (!attachments.TryGetValue(recordId, out var list))
                {
                    attachments[recordId] = list = [];
                }

                list.Add(new StoredAttachment(reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetString(4)));
            }
        }

        var records = new List<StoredRecord>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT record_id, site_id, kiosk_id, kind, seq, json, stored_at FROM records ORDER BY site_id, kiosk_id, seq";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var recordId = reader.GetString(0);
                records.Add(new StoredRecord(
                    recordId,
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetInt64(4),
                    reader.GetString(5),
                    ParseTime(reader.GetString(6)),
                    attachments.TryGetValue(recordId, out var list) ? list : []));
            }
        }

        return records;
    }

    public async Task<byte[]?> ReadAttachmentAsync(string recordId, string attachmentId, CancellationToken ct)
    {
        await using var connection = Connect();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT content FROM attachments WHERE record_id = $id AND attachment_id = $attachment";
        command.Parameters.AddWithValue("$id", recordId);
        command.Parameters.AddWithValue("$attachment", attachmentId);
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>Releases the pooled connections so the file can be reopened or deleted.</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _writes.Dispose();
    }

    /// <summary>Runs one write after the writes queued before it (<see cref="_writes"/>).</summary>
    private async Task<T> Serialized<T>(Func<Task<T>> write, CancellationToken ct)
    {
        await _writes.WaitAsync(ct);
        try
        {
            return await write();
        }
        finally
        {
            _writes.Release();
        }
    }

    private Task Serialized(Func<Task> write, CancellationToken ct) => Serialized(async () =>
    {
        await write();
        return true;
    }, ct);

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // synchronous is per connection: FULL makes the commit that precedes an ack durable, which is what an ack promises
        // (docs/mqtt-contract.md, "ack": records the platform has stored durably).
        pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
