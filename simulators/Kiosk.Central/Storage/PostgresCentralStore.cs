using System.Text.Json;
using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;
using Npgsql;
using NpgsqlTypes;

namespace Kiosk.Central.Storage;

/// <summary>
/// The platform's store in PostgreSQL, shared by every instance that reads the kiosks' traffic through one MQTT 5
/// shared subscription. The broker hands each message to ONE of the instances, so a record and its chunks may land on
/// different ones: every piece is written here first (pending_records, pending_chunks) and whichever instance sees
/// the last piece assembles the record (CentralPlatform.Records.cs). Deduplication is the records table's primary key,
/// so two instances storing the same record store it once, whichever commits first.
/// Durability: pending pieces are written with synchronous_commit off (nothing is acknowledged on their strength:
/// a lost piece is sent again by the kiosk, whose record was never acknowledged); the group commit of records is
/// synchronous, so an ack always follows a flushed commit, and that flush carries every earlier pending write too.
/// Thread-safe: a pooled <see cref="NpgsqlDataSource"/>; every call takes its own connection.
/// </summary>
internal sealed class PostgresCentralStore : ICentralStore
{
    /// <summary>Held while creating the tables, so instances starting together do not race on CREATE TABLE.</summary>
    private const long SchemaLock = 0x6b696f736b;

    private static readonly JsonSerializerOptions DescriptorJson = new(JsonSerializerDefaults.Web);
    private readonly NpgsqlDataSource _dataSource;

    private PostgresCentralStore(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    public bool Shared => true;

    /// <summary>Connects and creates the tables when they are not there yet.</summary>
    public static async Task<PostgresCentralStore> OpenAsync(string connectionString, CancellationToken ct)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using (var exists = new NpgsqlCommand("SELECT to_regclass('public.pending_chunks') IS NOT NULL", connection))
            {
                if (await exists.ExecuteScalarAsync(ct) is true)
                {
                    // Already made: no DDL, whose table locks would collide with the other instances' group commits (a
                    // deadlock that aborted an instance restarting after an outage).
                    return new PostgresCentralStore(dataSource);
                }
            }

            await using var transaction = await connection.BeginTransactionAsync(ct);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // The lock is held until the transaction that creates the tables commits, so an instance starting at the
            // same moment waits and then finds them.
            command.CommandText = $"""
                SELECT pg_advisory_xact_lock({SchemaLock});
                CREATE TABLE IF NOT EXISTS records (
                    record_id text PRIMARY KEY,
                    site_id text NOT NULL,
                    kiosk_id text NOT NULL,
                    kind text NOT NULL,
                    seq bigint NOT NULL,
                    json text NOT NULL,
                    stored_at timestamptz NOT NULL);
                CREATE TABLE IF NOT EXISTS attachments (
                    record_id text NOT NULL REFERENCES records(record_id),
                    attachment_id text NOT NULL,
                    content_type text NOT NULL,
                    length bigint NOT NULL,
                    sha256 text NOT NULL,
                    content bytea NOT NULL,
                    PRIMARY KEY (record_id, attachment_id));
                CREATE TABLE IF NOT EXISTS pending_records (
                    site_id text NOT NULL,
                    kiosk_id text NOT NULL,
                    record_id text NOT NULL,
                    seq bigint NOT NULL,
                    kind text NOT NULL,
                    json text NOT NULL,
                    attachments text NOT NULL,
                    PRIMARY KEY (site_id, kiosk_id, record_id));
                CREATE TABLE IF NOT EXISTS pending_chunks (
                    site_id text NOT NULL,
                    kiosk_id text NOT NULL,
                    record_id text NOT NULL,
                    attachment_id text NOT NULL,
                    chunk_index integer NOT NULL,
                    chunk_count integer NOT NULL,
                    chunk_offset bigint NOT NULL,
                    length bigint NOT NULL,
                    sha256 text NOT NULL,
                    chunk_sha256 text NOT NULL,
                    content bytea NOT NULL,
                    PRIMARY KEY (site_id, kiosk_id, record_id, attachment_id, chunk_index));
                -- Attachments are JPEG, PNG, WAV and sealed bytes: compressing them again only costs CPU.
                ALTER TABLE attachments ALTER COLUMN content SET STORAGE EXTERNAL;
                ALTER TABLE pending_chunks ALTER COLUMN content SET STORAGE EXTERNAL;
                """;
            await command.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
            return new PostgresCentralStore(dataSource);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }
    }

    public async Task<DateTimeOffset?> FindStoredAtAsync(string recordId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT stored_at FROM records WHERE record_id = $1");
        command.Parameters.AddWithValue(recordId);
        return await command.ExecuteScalarAsync(ct) is DateTime at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null;
    }

    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> FindStoredAtAsync(IReadOnlyCollection<string> recordIds, CancellationToken ct)
    {
        var found = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        if (recordIds.Count == 0)
        {
            return found;
        }

        await using var command = _dataSource.CreateCommand("SELECT record_id, stored_at FROM records WHERE record_id = ANY($1)");
        command.Parameters.AddWithValue(recordIds.ToArray());
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found[reader.GetString(0)] = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc));
        }

        return found;
    }

    public async Task<IReadOnlyList<bool>> StoreBatchAsync(IReadOnlyList<PendingWrite> pending, IReadOnlyList<CompletedRecord> records, DateTimeOffset storedAt, CancellationToken ct)
    {
        var stored = new bool[records.Count];
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await PendingWrites.ApplyAsync(
            pending,
            records,
            save => SavePendingChunkAsync(connection, transaction, save.Key, save.Header, save.Content, ct),
            delete => DeletePendingAsync(connection, transaction, delete.Record, delete.AttachmentId, ct));

        // One order for every instance's groups: two groups holding the same records take their row locks in the same
        // order, so they wait for each other instead of deadlocking.
        foreach (var i in Enumerable.Range(0, records.Count).OrderBy(i => records[i].Envelope.RecordId, StringComparer.Ordinal))
        {
            stored[i] = await StoreOneAsync(connection, transaction, records[i], storedAt, ct);
        }

        await transaction.CommitAsync(ct);
        return stored;
    }

    private static async Task<bool> StoreOneAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CompletedRecord record, DateTimeOffset storedAt, CancellationToken ct)
    {
        var e = record.Envelope;
        await DeletePendingAsync(connection, transaction, new RecordKey(e.SiteId, e.KioskId, e.RecordId), null, ct);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO records (record_id, site_id, kiosk_id, kind, seq, json, stored_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (record_id) DO NOTHING",
            connection,
            transaction))
        {
            insert.Parameters.AddWithValue(e.RecordId);
            insert.Parameters.AddWithValue(e.SiteId);
            insert.Parameters.AddWithValue(e.KioskId);
            insert.Parameters.AddWithValue(e.Kind);
            insert.Parameters.AddWithValue(e.Seq);
            insert.Parameters.AddWithValue(e.Json);
            insert.Parameters.AddWithValue(NpgsqlDbType.TimestampTz, storedAt.UtcDateTime);
            if (await insert.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }

        foreach (var attachment in record.Attachments)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO attachments (record_id, attachment_id, content_type, length, sha256, content) VALUES ($1, $2, $3, $4, $5, $6)",
                connection,
                transaction);
            insert.Parameters.AddWithValue(e.RecordId);
            insert.Parameters.AddWithValue(attachment.Descriptor.AttachmentId);
            insert.Parameters.AddWithValue(attachment.Descriptor.ContentType);
            insert.Parameters.AddWithValue(attachment.Descriptor.Length);
            insert.Parameters.AddWithValue(attachment.Descriptor.Sha256);
            insert.Parameters.AddWithValue(NpgsqlDbType.Bytea, attachment.Content);
            await insert.ExecuteNonQueryAsync(ct);
        }

        return true;
    }

    public async Task<IReadOnlyList<StoredRecord>> ReadAllAsync(CancellationToken ct)
    {
        var attachments = new Dictionary<string, List<StoredAttachment>>(StringComparer.Ordinal);
        await using (var command = _dataSource.CreateCommand("SELECT record_id, attachment_id, content_type, length, sha256 FROM attachments ORDER BY record_id, attachment_id"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
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
        await using (var command = _dataSource.CreateCommand("SELECT record_id, site_id, kiosk_id, kind, seq, json, stored_at FROM records ORDER BY site_id, kiosk_id, seq"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
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
                    new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(6), DateTimeKind.Utc)),
                    attachments.TryGetValue(recordId, out var list) ? list : []));
            }
        }

        return records;
    }

    public async Task<byte[]?> ReadAttachmentAsync(string recordId, string attachmentId, CancellationToken ct)
    {
        await using var command = _dataSource.CreateCommand("SELECT content FROM attachments WHERE record_id = $1 AND attachment_id = $2");
        command.Parameters.AddWithValue(recordId);
        command.Parameters.AddWithValue(attachmentId);
        return await command.ExecuteScalarAsync(ct) as byte[];
    }

    public Task SavePendingChunkAsync(AttachmentKey key, ChunkHeader header, byte[] content, CancellationToken ct) =>
        WithoutWaitingForTheDiskAsync((connection, transaction) => SavePendingChunkAsync(connection, transaction, key, header, content, ct), ct);

    private static async Task SavePendingChunkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AttachmentKey key, ChunkHeader header, byte[] content, CancellationToken ct)
    {
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO pending_chunks (site_id, kiosk_id, record_id, attachment_id, chunk_index, chunk_count, chunk_offset, length, sha256, chunk_sha256, content)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            ON CONFLICT (site_id, kiosk_id, record_id, attachment_id, chunk_index) DO UPDATE SET
                chunk_count = excluded.chunk_count, chunk_offset = excluded.chunk_offset, length = excluded.length,
                sha256 = excluded.sha256, chunk_sha256 = excluded.chunk_sha256, content = excluded.content
            """,
            connection,
            transaction))
        {
            insert.Parameters.AddWithValue(key.SiteId);
            insert.Parameters.AddWithValue(key.KioskId);
            insert.Parameters.AddWithValue(key.RecordId);
            insert.Parameters.AddWithValue(key.AttachmentId);
            insert.Parameters.AddWithValue(header.Index);
            insert.Parameters.AddWithValue(header.Count);
            insert.Parameters.AddWithValue(header.Offset);
            insert.Parameters.AddWithValue(header.Length);
            insert.Parameters.AddWithValue(header.Sha256);
            insert.Parameters.AddWithValue(header.ChunkSha256);
            insert.Parameters.AddWithValue(NpgsqlDbType.Bytea, content);
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task SavePendingRecordAsync(RecordEnvelope record, CancellationToken ct)
    {
        await WithoutWaitingForTheDiskAsync(async (connection, transaction) =>
        {
            await using (var insert = new NpgsqlCommand(
                """
                INSERT INTO pending_records (site_id, kiosk_id, record_id, seq, kind, json, attachments) VALUES ($1, $2, $3, $4, $5, $6, $7)
                ON CONFLICT (site_id, kiosk_id, record_id) DO UPDATE SET seq = excluded.seq, kind = excluded.kind, json = excluded.json, attachments = excluded.attachments
                """,
                connection,
                transaction))
            {
                insert.Parameters.AddWithValue(record.SiteId);
                insert.Parameters.AddWithValue(record.KioskId);
                insert.Parameters.AddWithValue(record.RecordId);
                insert.Parameters.AddWithValue(record.Seq);
                insert.Parameters.AddWithValue(record.Kind);
                insert.Parameters.AddWithValue(record.Json);
                insert.Parameters.AddWithValue(JsonSerializer.Serialize(record.Attachments, DescriptorJson));
                await insert.ExecuteNonQueryAsync(ct);
            }
        }, ct);
    }

    public async Task<(RecordEnvelope? Record, IReadOnlyList<PendingChunk> Chunks)> ReadPendingAsync(RecordKey record, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        RecordEnvelope? envelope = null;
        await using (var select = new NpgsqlCommand("SELECT seq, kind, json, attachments FROM pending_records WHERE site_id = $1 AND kiosk_id = $2 AND record_id = $3", connection))
        {
            select.Parameters.AddWithValue(record.SiteId);
            select.Parameters.AddWithValue(record.KioskId);
            select.Parameters.AddWithValue(record.RecordId);
            await using var reader = await select.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                var descriptors = JsonSerializer.Deserialize<List<AttachmentDescriptor>>(reader.GetString(3), DescriptorJson) ?? [];
                envelope = new RecordEnvelope(record.SiteId, record.KioskId, record.RecordId, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), descriptors);
            }
        }

        var chunks = await ReadChunksAsync(connection, "WHERE site_id = $1 AND kiosk_id = $2 AND record_id = $3", [record.SiteId, record.KioskId, record.RecordId], ct);
        return (envelope, chunks);
    }

    public async Task<IReadOnlyList<PendingChunk>> ReadPendingChunksAsync(CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await ReadChunksAsync(connection, "", [], ct);
    }

    public async Task<int> DeleteSettledPendingAsync(CancellationToken ct)
    {
        var deleted = 0;
        await WithoutWaitingForTheDiskAsync(async (connection, transaction) =>
        {
            foreach (var table in (string[])["pending_chunks", "pending_records"])
            {
                // SKIP LOCKED: rows a group commit holds are left for the next sweep. Waiting on them, in whatever order the
                // join met them, deadlocked with a group commit in a 1,000-kiosk run (PostgreSQL then aborts one of the two).
                await using var delete = new NpgsqlCommand(
                    $"DELETE FROM {table} WHERE ctid IN (SELECT p.ctid FROM {table} p JOIN records r ON r.record_id = p.record_id FOR UPDATE OF p SKIP LOCKED)",
                    connection,
                    transaction);
                deleted += await delete.ExecuteNonQueryAsync(ct);
            }
        }, ct);
        return deleted;
    }

    public Task DeletePendingAsync(RecordKey record, string? attachmentId, CancellationToken ct) =>
        WithoutWaitingForTheDiskAsync((connection, transaction) => DeletePendingAsync(connection, transaction, record, attachmentId, ct), ct);

    public void Dispose() => _dataSource.Dispose();

    private static async Task<IReadOnlyList<PendingChunk>> ReadChunksAsync(NpgsqlConnection connection, string where, object[] arguments, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand(
            $"""
            SELECT site_id, kiosk_id, record_id, attachment_id, chunk_index, chunk_count, chunk_offset, length, sha256, chunk_sha256, content
            FROM pending_chunks {where} ORDER BY site_id, kiosk_id, record_id, attachment_id, chunk_index
            """,
            connection);
        foreach (var argument in arguments)
        {
            select.Parameters.AddWithValue(argument);
        }

        var chunks = new List<PendingChunk>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            chunks.Add(new PendingChunk(
                new AttachmentKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)),
                new ChunkHeader(reader.GetInt32(4), reader.GetInt32(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetString(8), reader.GetString(9)),
                (byte[])reader.GetValue(10)));
        }

        return chunks;
    }

    private static async Task DeletePendingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RecordKey record, string? attachmentId, CancellationToken ct)
    {
        string[] statements = attachmentId is null
            ? ["DELETE FROM pending_chunks WHERE site_id = $1 AND kiosk_id = $2 AND record_id = $3", "DELETE FROM pending_records WHERE site_id = $1 AND kiosk_id = $2 AND record_id = $3"]
            : ["DELETE FROM pending_chunks WHERE site_id = $1 AND kiosk_id = $2 AND record_id = $3 AND attachment_id = $4"];
        foreach (var statement in statements)
        {
            await using var delete = new NpgsqlCommand(statement, connection, transaction);
            delete.Parameters.AddWithValue(record.SiteId);
            delete.Parameters.AddWithValue(record.KioskId);
            delete.Parameters.AddWithValue(record.RecordId);
            if (attachmentId is not null)
            {
                delete.Parameters.AddWithValue(attachmentId);
            }

            await delete.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction committed without waiting for the disk: pending pieces are not
    /// acknowledged on their own strength, so their commits need not wait for the WAL flush.
    /// </summary>
    private async Task WithoutWaitingForTheDiskAsync(Func<NpgsqlConnection, NpgsqlTransaction, Task> work, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var set = new NpgsqlCommand("SET LOCAL synchronous_commit TO OFF", connection, transaction))
        {
            await set.ExecuteNonQueryAsync(ct);
        }

        await work(connection, transaction);
        await transaction.CommitAsync(ct);
    }
}
