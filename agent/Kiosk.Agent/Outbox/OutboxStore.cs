using System.Globalization;
using System.Security.Cryptography;
using Kiosk.Agent.Outbox.Encryption;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// The outbox: every record the kiosk must deliver, kept in SQLite until the platform acknowledges it.
/// Thread safety: all members may be called concurrently; writes are serialised on one connection
/// (SQLite connections are single-threaded), so commits are never interleaved. The sync's reads of what to send go
/// through a second, read-only connection (<see cref="_reader"/>): in WAL mode they see the last commit without waiting
/// for a commit in progress, so a drain does not stall behind the fsync of an ack's delete.
/// </summary>
public sealed partial class OutboxStore : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteConnection _reader;
    private readonly SemaphoreSlim _readGate = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private readonly long _bootTimestamp;
    private readonly OutboxBudget _budget;
    private readonly AttachmentCipher? _cipher;
    private long _usedBytes;
    private bool _aboveWarning;

    private OutboxStore(SqliteConnection connection, SqliteConnection reader, TimeProvider timeProvider, string bootId, OutboxBudget budget, byte[]? key)
    {
        _cipher = key is null ? null : new AttachmentCipher(key);
        _connection = connection;
        _reader = reader;
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

    /// <summary>Set after every commit (and by the sync on acks and reconnects): the publisher waits on it.</summary>
    public OutboxSignal Signal { get; } = new();

    public OutboxUsage Usage => new(Interlocked.Read(ref _usedBytes), _budget.BudgetBytes, _aboveWarning);

    /// <summary>Identifies this run of the agent; with <c>monotonicMs</c> it orders records without trusting the wall clock.</summary>
    public string BootId { get; }

    public string Path => _connection.DataSource;

    /// <summary>Set when the file was damaged at open and salvaged; the agent raises an alert from it.</summary>
    public OutboxRecoveryReport? Recovery { get; private init; }

    /// <summary>Opens (creating if needed) the outbox file, applies migrations and sets the durability pragmas.</summary>
    /// <param name="key">The outbox key (<see cref="OutboxKey"/>); with it, record bodies and attachments are sealed at rest. The agent always passes one.</param>
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
        var reader = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadOnly,
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
            reader.Open();
            Execute(reader, "PRAGMA busy_timeout = 5000;");
            var store = new OutboxStore(connection, reader, timeProvider, bootId ?? Guid.CreateVersion7(timeProvider.GetUtcNow()).ToString("D"), budget ?? OutboxBudget.Default, key) { Recovery = recovery };
            store.SealPlainBodies();
            return store;
        }
        catch
        {
            reader.Dispose();
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
            var seq = InsertRecord(transaction, record, recordId, createdAt, monotonicMs, body, size, cancellationToken);
            transaction.Commit();
            Interlocked.Add(ref _usedBytes, size);
            Signal.Set();
            return new CommitReceipt(recordId, seq, createdAt, _timeProvider.GetElapsedTime(started));
        }
        finally
        {
            _gate.Release();
            CheckWarning();
        }
    }

    /// <summary>
    /// Inserts the record (its body sealed when there is a key), its attachments and the audit entry in
    /// <paramref name="transaction"/>; returns its seq.
    /// </summary>
    private long InsertRecord(SqliteTransaction transaction, NewRecord record, string recordId, DateTimeOffset createdAt, long monotonicMs, string body, long size, CancellationToken cancellationToken)
    {
        var stored = RecordBodies.Store(body, recordId, _cipher);
        long seq;
        using (var insert = Command(transaction, """
            INSERT INTO records(record_id, kind, priority, schema_version, created_at, monotonic_ms, boot_id, body, body_sealed, body_sha256, bytes, expires_at)
            VALUES ($id, $kind, $priority, 1, $created, $mono, $boot, $body, $sealed, $bodySha, $bytes, $expires)
            RETURNING seq;
            """))
        {
            insert.Parameters.AddWithValue("$id", recordId);
            insert.Parameters.AddWithValue("$kind", record.Kind.WireName());
            insert.Parameters.AddWithValue("$priority", (int)record.Kind.DefaultPriority());
            insert.Parameters.AddWithValue("$created", OutboxTime.Format(createdAt));
            insert.Parameters.AddWithValue("$mono", monotonicMs);
            insert.Parameters.AddWithValue("$boot", BootId);
            insert.Parameters.AddWithValue("$body", stored.Value);
            insert.Parameters.AddWithValue("$sealed", stored.Sealed ? 1 : 0);
            insert.Parameters.AddWithValue("$bodySha", stored.Sha256);
            insert.Parameters.AddWithValue("$bytes", size);
            insert.Parameters.AddWithValue("$expires", record.TimeToLive is { } ttl ? OutboxTime.Format(createdAt + ttl) : DBNull.Value);
            seq = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        foreach (var attachment in record.Attachments)
        {
            cancellationToken.ThrowIfCancellationRequested();
            StoreAttachment(transaction, seq, attachment);
        }

        using var audit = Command(transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'committed', $id, $detail);");
        audit.Parameters.AddWithValue("$at", OutboxTime.Format(createdAt));
        audit.Parameters.AddWithValue("$id", recordId);
        audit.Parameters.AddWithValue("$detail", $"{record.Kind.WireName()} seq={seq} attachments={record.Attachments.Count}");
        audit.ExecuteNonQuery();
        return seq;
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

    /// <summary>
    /// Reads a numeric pragma on the store's own connection. Some pragmas (synchronous) hold per connection,
    /// so a second connection cannot show what the commits run with; the tests read it here.
    /// </summary>
    internal long Pragma(string name)
    {
        // A pragma name cannot be a parameter: letters and '_' only, so nothing but a pragma read runs.
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetter(c) || c == '_'))
        {
            throw new ArgumentException($"'{name}' is not a pragma name", nameof(name));
        }

        using var query = Command(null, $"PRAGMA {name};");
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

    public void Dispose()
    {
        // A write or read still running (a send's MarkSent ending as the host stops) finishes before its connection closes:
        // closing a connection under another thread's transaction failed inside Microsoft.Data.Sqlite (a NullReference in
        // the rollback), seen as a test's agent stopped. Bounded, so a stuck operation cannot hold the shutdown.
        var writing = _gate.Wait(DisposeWait);
        var reading = _readGate.Wait(DisposeWait);
        try
        {
            _reader.Dispose();
            _connection.Dispose();
        }
        finally
        {
            if (reading)
            {
                _readGate.Release();
            }

            if (writing)
            {
                _gate.Release();
            }

            _readGate.Dispose();
            _gate.Dispose();
        }
    }

    /// <summary>How long <see cref="Dispose"/> waits for an operation still running.</summary>
    private static readonly TimeSpan DisposeWait = TimeSpan.FromSeconds(10);
}
