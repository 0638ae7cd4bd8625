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

    /// <summary>How much waits to be sent (see <see cref="OutboxRows.Totals"/>).</summary>
    public static OutboxTotals Totals(SqliteConnection connection, DateTimeOffset now) => OutboxRows.Totals(connection, now);

    /// <summary>
    /// The records waiting, quarantined ones included, in drain order, at most <paramref name="limit"/> (all when null),
    /// and the rows that cannot be read. The body comes only with <paramref name="includeBody"/> (export); listings leave it out.
    /// </summary>
    public static (IReadOnlyList<OutboxRecord> Records, IReadOnlyList<UnreadableRecord> Unreadable) ReadPending(SqliteConnection connection, DateTimeOffset now, int? limit, bool includeBody) =>
        OutboxRows.Read(connection, now, limit, includeBody, includeQuarantined: true);

    /// <summary>The attachment's bytes exactly as stored: plaintext, or for a sealed one its AES-GCM segments (never decrypted here).</summary>
    public static Stream OpenStoredAttachment(SqliteConnection connection, OutboxAttachment attachment)
    {
        ArgumentNullException.ThrowIfNull(attachment);
        return new SqliteBlob(connection, "attachments", "data", attachment.RowId, readOnly: true);
    }
}
