using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Read-only views of the outbox for people and tools (the local API, <c>kioskctl queue</c>): what waits, in drain
/// order, with its attachments' metadata. It opens its own read-only connection, so it never takes the
/// <see cref="OutboxStore"/>'s lock and works while the agent runs (WAL readers do not block the writer) or is stopped.
/// Attachment content is reached only through <see cref="OpenStoredAttachment"/>, as stored: sealed stays sealed.
/// Not thread-safe per connection; callers use one connection per operation.
/// </summary>
public static class OutboxQueueReader
{
    /// <summary>
    /// Opens the outbox file read-only; throws <see cref="FileNotFoundException"/> when there is none. Nothing is created
    /// or changed: with no <c>-wal</c> file no connection has the outbox open (SQLite removes it when the last one closes
    /// cleanly), so it is opened immutable and SQLite does not create its <c>-wal</c> and <c>-shm</c> files beside it.
    /// </summary>
    public static SqliteConnection OpenReadOnly(string databasePath)
    {
        if (!File.Exists(databasePath))
        {
            throw new FileNotFoundException($"there is no outbox at {databasePath}", databasePath);
        }

        var closed = !File.Exists(databasePath + "-wal");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = closed ? FileUri(databasePath) + "?immutable=1" : databasePath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 5,
        }.ToString());
        try
        {
            connection.Open();
            Execute(connection, "PRAGMA busy_timeout = 5000;");
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>An SQLite URI filename (<c>file:/path</c>), each segment escaped so '#', '?' or '%' in a folder name stay part of the path.</summary>
    private static string FileUri(string path)
    {
        var segments = System.IO.Path.GetFullPath(path).Replace('\\', '/').Split('/').Select(Uri.EscapeDataString);
        var joined = string.Join('/', segments);
        return "file:" + (joined.StartsWith('/') ? joined : "/" + joined);
    }

    /// <summary>
    /// Starts a read transaction, so that several reads see one state of the outbox while the agent goes on deleting
    /// acknowledged records; disposing ends it. Commands on the connection need no transaction object.
    /// </summary>
    public static IDisposable ReadSnapshot(SqliteConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Execute(connection, "BEGIN DEFERRED;");
        return new Snapshot(connection);
    }

    private sealed class Snapshot(SqliteConnection connection) : IDisposable
    {
        private bool _ended;

        public void Dispose()
        {
            if (!_ended)
            {
                _ended = true;
                Execute(connection, "ROLLBACK;");
            }
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>How much waits to be sent (rows whose time to live has passed are not counted: they are never sent).</summary>
    public static PendingTotals Totals(SqliteConnection connection, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var query = connection.CreateCommand();
        query.CommandText = "SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(created_at) FROM records WHERE expires_at IS NULL OR expires_at > $now;";
        query.Parameters.AddWithValue("$now", OutboxStore.FormatTime(now));
        using var reader = query.ExecuteReader();
        reader.Read();
        return new PendingTotals(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : OutboxStore.ParseTime(reader.GetString(2)));
    }

    /// <summary>
    /// The records waiting, in drain order (priority, then seq), at most <paramref name="limit"/> (all when null).
    /// The record's JSON body comes only with <paramref name="includeBody"/> (export); listings leave it out.
    /// </summary>
    public static IReadOnlyList<PendingRecord> ReadPending(SqliteConnection connection, DateTimeOffset now, int? limit, bool includeBody)
    {
        ArgumentNullException.ThrowIfNull(connection);
        const string Selection = "FROM records WHERE expires_at IS NULL OR expires_at > $now ORDER BY priority, seq LIMIT $limit";
        var attachments = ReadAttachments(connection, $"SELECT seq {Selection}", now, limit);
        var records = new List<PendingRecord>();
        using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT seq, record_id, kind, priority, schema_version, created_at, monotonic_ms, boot_id, bytes, attempts, last_sent_at, expires_at,
                   {(includeBody ? "body" : "NULL")}
            {Selection};
            """;
        query.Parameters.AddWithValue("$now", OutboxStore.FormatTime(now));
        query.Parameters.AddWithValue("$limit", limit ?? -1);
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            records.Add(new PendingRecord(
                seq, reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), OutboxStore.ParseTime(reader.GetString(5)),
                reader.GetInt64(6), reader.GetString(7), reader.GetInt64(8), reader.GetInt32(9), Time(reader, 10), Time(reader, 11),
                attachments.TryGetValue(seq, out var list) ? list : [])
            {
                BodyJson = reader.IsDBNull(12) ? null : reader.GetString(12),
            });
        }

        return records;
    }

    /// <summary>The attachment's bytes exactly as stored: plaintext, or for a sealed one its AES-GCM segments (never decrypted here).</summary>
    public static Stream OpenStoredAttachment(SqliteConnection connection, PendingAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        return new SqliteBlob(connection, "attachments", "data", attachment.RowId, readOnly: true);
    }

    private static Dictionary<long, List<PendingAttachment>> ReadAttachments(SqliteConnection connection, string seqs, DateTimeOffset now, int? limit)
    {
        var bySeq = new Dictionary<long, List<PendingAttachment>>();
        using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT record_seq, id, attachment_id, content_type, length, sha256, biometric, sealed, acked_chunks, length(data), stored_sha256
            FROM attachments WHERE record_seq IN ({seqs}) ORDER BY record_seq, id;
            """;
        query.Parameters.AddWithValue("$now", OutboxStore.FormatTime(now));
        query.Parameters.AddWithValue("$limit", limit ?? -1);
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            if (!bySeq.TryGetValue(seq, out var list))
            {
                bySeq[seq] = list = [];
            }

            list.Add(new PendingAttachment(
                reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5), reader.GetInt64(6) == 1,
                reader.GetInt64(7) == 1, reader.GetInt32(8), reader.GetInt64(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return bySeq;
    }

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

public sealed record PendingTotals(long Records, long Bytes, DateTimeOffset? OldestCreatedAt);

/// <summary>A record waiting in the outbox, as tools see it.</summary>
/// <param name="Kind">Wire name (<c>checkin</c>, <c>alert</c>, <c>audit</c>, <c>telemetry</c>).</param>
/// <param name="Priority">Drain order: lower goes first (0 alerts, 1 check-ins, 2 audit, 3 telemetry).</param>
/// <param name="Attempts">How many times it was sent (the broker accepted it) without the platform confirming it.</param>
public sealed record PendingRecord(
    long Seq,
    string RecordId,
    string Kind,
    int Priority,
    int SchemaVersion,
    DateTimeOffset CreatedAt,
    long MonotonicMs,
    string BootId,
    long Bytes,
    int Attempts,
    DateTimeOffset? LastSentAt,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<PendingAttachment> Attachments)
{
    /// <summary>The record's JSON, only when asked for (it holds personal data).</summary>
    public string? BodyJson { get; init; }
}

/// <param name="RowId">The attachment's row; a sealed attachment's segments are bound to it (their associated data).</param>
/// <param name="Length">Plaintext length; <paramref name="Sha256"/> is the plaintext's hash.</param>
/// <param name="StoredLength">Bytes as stored (sealed: plaintext plus 28 bytes per 64 KiB segment).</param>
/// <param name="StoredSha256">Hash of the bytes as stored; null for rows written before sealing existed.</param>
public sealed record PendingAttachment(
    long RowId,
    string AttachmentId,
    string ContentType,
    long Length,
    string Sha256,
    bool Biometric,
    bool Sealed,
    int AckedChunks,
    long StoredLength,
    string? StoredSha256);
