using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Control;

/// <summary>
/// What the platform has told this kiosk, kept across restarts in its own SQLite file next to the outbox
/// (<c>control.db</c>): the nonces of platform messages already accepted (so a replay is refused after a restart too),
/// the commands already run (so a command resent by the platform runs once), the platform's signing keys learned by
/// rotation, and the documents commands deliver (roster, policy), sealed with the outbox key (AES-256-GCM) because they
/// hold personal data. Thread safety: every member may be called from any thread; one connection, one gate.
/// </summary>
public sealed class ControlStore : IDisposable
{
    /// <summary>Nonces kept at most; beyond it the ones closest to expiry go first (each is kept until its message expires).</summary>
    public const int MaxNonces = 200_000;

    private readonly SqliteConnection _connection;
    private readonly byte[]? _key;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ControlStore(SqliteConnection connection, byte[]? key, TimeProvider time)
    {
        _connection = connection;
        _key = key;
        _time = time;
    }

    /// <summary>Opens (creating if needed) <paramref name="path"/>. A file that is not a readable control store is moved aside and started afresh.</summary>
    /// <param name="key">The outbox key (32 bytes): documents are sealed with it. Null only in tests of the store itself.</param>
    public static ControlStore Open(string path, byte[]? key, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        if (key is { Length: not 32 })
        {
            throw new ArgumentException("the sealing key is 32 bytes", nameof(key));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            return new ControlStore(DurableSqlite.Open(path, Schema, "control store"), key, time);
        }
        catch (SqliteException)
        {
            // Damaged: what it held is the platform's to send again (roster, policy) or safe to forget after expiry (nonces
            // of messages that are refused anyway once expired). Keep the damaged file for the technician.
            var aside = path + ".damaged-" + time.GetUtcNow().ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture);
            File.Move(path, aside, overwrite: true);
            foreach (var suffix in new[] { "-wal", "-shm" })
            {
                if (File.Exists(path + suffix))
                {
                    File.Move(path + suffix, aside + suffix, overwrite: true);
                }
            }

            return new ControlStore(DurableSqlite.Open(path, Schema, "control store"), key, time);
        }
    }

    private const string Schema = """
            CREATE TABLE IF NOT EXISTS seen_nonces (nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS seen_nonces_expiry ON seen_nonces (expires_at);
            CREATE TABLE IF NOT EXISTS commands (command_id TEXT PRIMARY KEY, name TEXT NOT NULL, received_at INTEGER NOT NULL, result_record_id TEXT, deferred INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS signing_keys (kid TEXT PRIMARY KEY, spki BLOB NOT NULL, added_at INTEGER NOT NULL, retires_at INTEGER) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, version INTEGER NOT NULL, sealed BLOB NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS config_changes (command_id TEXT PRIMARY KEY, received_at INTEGER NOT NULL, config_path TEXT NOT NULL, previous BLOB NOT NULL, changes TEXT NOT NULL, phase TEXT NOT NULL, starts INTEGER NOT NULL DEFAULT 0, reason TEXT) WITHOUT ROWID;
        """;

    /// <summary>
    /// Records <paramref name="nonce"/> until <paramref name="expiresAt"/>; false when it was already recorded (a replay).
    /// Durable before it returns, so a message accepted once is refused after a crash or restart too.
    /// </summary>
    public async Task<bool> TryRecordNonceAsync(string nonce, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                DELETE FROM seen_nonces WHERE expires_at < $now;
                INSERT OR IGNORE INTO seen_nonces (nonce, expires_at) VALUES ($nonce, $expires);
                SELECT changes();
                """;
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)PlatformMessageVerifier.ClockTolerance.TotalMilliseconds);
            command.Parameters.AddWithValue("$nonce", nonce);
            command.Parameters.AddWithValue("$expires", expiresAt.ToUnixTimeMilliseconds());
            var inserted = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
            if (inserted)
            {
                using var trim = _connection.CreateCommand();
                trim.CommandText = "DELETE FROM seen_nonces WHERE nonce IN (SELECT nonce FROM seen_nonces ORDER BY expires_at LIMIT max(0, (SELECT count(*) FROM seen_nonces) - $max))";
                trim.Parameters.AddWithValue("$max", MaxNonces);
                await trim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return inserted;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Records that command <paramref name="commandId"/> is being run; false when it was run before (the platform sent it again).</summary>
    public async Task<bool> TryStartCommandAsync(string commandId, string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO commands (command_id, name, received_at) VALUES ($id, $name, $now); SELECT changes();";
            command.Parameters.AddWithValue("$id", commandId);
            command.Parameters.AddWithValue("$name", name);
            command.Parameters.AddWithValue("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Notes the outbox record that carries a command's result.</summary>
    public Task SetCommandResultAsync(string commandId, string resultRecordId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE commands SET result_record_id = $result WHERE command_id = $id", cancellationToken, ("$id", commandId), ("$result", resultRecordId));

    /// <summary>
    /// Marks a command whose result comes later, from another part of the agent (a configuration change is judged after
    /// the restart it needs): it is not reported as interrupted at the next start.
    /// </summary>
    public Task DeferCommandAsync(string commandId, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE commands SET deferred = 1 WHERE command_id = $id", cancellationToken, ("$id", commandId));

    /// <summary>Commands started but without a result that nothing else will give: the agent stopped while they ran.</summary>
    public async Task<IReadOnlyList<(string CommandId, string Name, DateTimeOffset ReceivedAt)>> ReadUnfinishedCommandsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT command_id, name, received_at FROM commands WHERE result_record_id IS NULL AND deferred = 0 ORDER BY received_at";
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var list = new List<(string, string, DateTimeOffset)>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                list.Add((reader.GetString(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The outbox record id of a command's result, or null when it has none yet (or the command is unknown).</summary>
    public async Task<string?> GetCommandResultAsync(string commandId, CancellationToken cancellationToken) =>
        await ScalarAsync("SELECT result_record_id FROM commands WHERE command_id = $id", cancellationToken, ("$id", commandId)).ConfigureAwait(false) as string;

    /// <summary>Adds a signing key (the enrolled one, or one the platform introduced by rotation); a known kid keeps its retirement.</summary>
    public Task AddSigningKeyAsync(string kid, byte[] subjectPublicKeyInfo, DateTimeOffset? retiresAt, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO signing_keys (kid, spki, added_at, retires_at) VALUES ($kid, $spki, $now, $retires) ON CONFLICT (kid) DO NOTHING",
            cancellationToken,
            ("$kid", kid),
            ("$spki", subjectPublicKeyInfo),
            ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()),
            ("$retires", retiresAt?.ToUnixTimeMilliseconds()));

    /// <summary>Sets when a stored signing key stops being accepted (rotation's overlap window); unknown kids are ignored.</summary>
    public Task RetireSigningKeyAsync(string kid, DateTimeOffset retiresAt, CancellationToken cancellationToken) =>
        ExecuteAsync("UPDATE signing_keys SET retires_at = $retires WHERE kid = $kid AND (retires_at IS NULL OR retires_at > $retires)", cancellationToken, ("$kid", kid), ("$retires", retiresAt.ToUnixTimeMilliseconds()));

    /// <summary>Signing keys learned by rotation, with when each retires (null: not scheduled).</summary>
    public IReadOnlyList<(string Kid, byte[] Spki, DateTimeOffset? RetiresAt)> ReadSigningKeys()
    {
        _gate.Wait();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT kid, spki, retires_at FROM signing_keys ORDER BY added_at";
            using var reader = command.ExecuteReader();
            var keys = new List<(string, byte[], DateTimeOffset?)>();
            while (reader.Read())
            {
                keys.Add((reader.GetString(0), (byte[])reader.GetValue(1), reader.IsDBNull(2) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
            }

            return keys;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores document <paramref name="name"/> (roster, policy...) sealed, replacing the previous one in one transaction.</summary>
    public Task SaveDocumentAsync(string name, long version, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        ExecuteAsync(
            "INSERT INTO documents (name, version, sealed, updated_at) VALUES ($name, $version, $sealed, $now) ON CONFLICT (name) DO UPDATE SET version = excluded.version, sealed = excluded.sealed, updated_at = excluded.updated_at",
            cancellationToken,
            ("$name", name),
            ("$version", version),
            ("$sealed", Seal(name, content.Span)),
            ("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()));

    /// <summary>Removes document <paramref name="name"/> (a no-op when none is stored).</summary>
    public Task DeleteDocumentAsync(string name, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM documents WHERE name = $name", cancellationToken, ("$name", name));

    /// <summary>Document <paramref name="name"/> and its version, or null when none is stored. Throws <see cref="InvalidDataException"/> when it was altered.</summary>
    public (long Version, byte[] Content)? LoadDocument(string name)
    {
        _gate.Wait();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT version, sealed FROM documents WHERE name = $name";
            command.Parameters.AddWithValue("$name", name);
            using var reader = command.ExecuteReader();
            return reader.Read() ? (reader.GetInt64(0), Open(name, (byte[])reader.GetValue(1))) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Keeps a configuration change being tried (<c>cmd/config</c>) with the file it replaced, sealed (a configuration may
    /// hold secrets), so the change is judged, and if need be undone, after the restart it needs. One at a time.
    /// </summary>
    public Task SavePendingConfigChangeAsync(PendingConfigChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        return ExecuteAsync(
            "INSERT OR REPLACE INTO config_changes (command_id, received_at, config_path, previous, changes, phase, starts, reason) VALUES ($id, $received, $path, $previous, $changes, $phase, $starts, $reason)",
            cancellationToken,
            ("$id", change.CommandId),
            ("$received", change.ReceivedAt.ToUnixTimeMilliseconds()),
            ("$path", change.ConfigPath),
            ("$previous", Seal("config-previous:" + change.CommandId, change.Previous)),
            ("$changes", change.Changes),
            ("$phase", change.Phase),
            ("$starts", change.Starts),
            ("$reason", change.Reason));
    }

    /// <summary>The configuration change being tried, or null. Throws <see cref="InvalidDataException"/> when its saved file was altered.</summary>
    public PendingConfigChange? LoadPendingConfigChange()
    {
        _gate.Wait();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT command_id, received_at, config_path, previous, changes, phase, starts, reason FROM config_changes ORDER BY received_at LIMIT 1";
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            var id = reader.GetString(0);
            return new PendingConfigChange(
                id,
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2),
                Open("config-previous:" + id, (byte[])reader.GetValue(3)),
                reader.GetString(4),
                reader.GetString(5),
                reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetString(7));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Forgets a configuration change once its result is committed.</summary>
    public Task DeletePendingConfigChangeAsync(string commandId, CancellationToken cancellationToken) =>
        ExecuteAsync("DELETE FROM config_changes WHERE command_id = $id", cancellationToken, ("$id", commandId));

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    private byte[] Seal(string name, ReadOnlySpan<byte> plain)
    {
        if (_key is null)
        {
            return plain.ToArray();
        }

        var output = new byte[12 + plain.Length + 16];
        RandomNumberGenerator.Fill(output.AsSpan(0, 12));
        using var aes = new AesGcm(_key, 16);
        aes.Encrypt(output.AsSpan(0, 12), plain, output.AsSpan(12, plain.Length), output.AsSpan(12 + plain.Length), Encoding.UTF8.GetBytes("control-document:" + name));
        return output;
    }

    private byte[] Open(string name, byte[] stored)
    {
        if (_key is null)
        {
            return stored;
        }

        if (stored.Length < 28)
        {
            throw new InvalidDataException($"the stored {name} is too short to be sealed");
        }

        var plain = new byte[stored.Length - 28];
        try
        {
            using var aes = new AesGcm(_key, 16);
            aes.Decrypt(stored.AsSpan(0, 12), stored.AsSpan(12, plain.Length), stored.AsSpan(12 + plain.Length), plain, Encoding.UTF8.GetBytes("control-document:" + name));
            return plain;
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new InvalidDataException($"the stored {name} was altered or sealed with another key", ex);
        }
    }

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        ScalarAsync(sql, cancellationToken, parameters);

    private async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (parameterName, value) in parameters)
            {
                command.Parameters.AddWithValue(parameterName, value ?? DBNull.Value);
            }

            var result = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return result is DBNull ? null : result;
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>A configuration change being tried (<see cref="ControlStore.SavePendingConfigChangeAsync"/>).</summary>
/// <param name="Previous">The configuration file as it was before the change, byte for byte.</param>
/// <param name="Changes">The keys changed, JSON (<c>[{"key", "old", "new"}]</c>, secrets redacted).</param>
/// <param name="Phase"><see cref="Applied"/> (the new file is in place) or <see cref="RolledBack"/> (the previous file is back).</param>
/// <param name="Starts">Agent starts with the new file so far.</param>
public sealed record PendingConfigChange(string CommandId, DateTimeOffset ReceivedAt, string ConfigPath, byte[] Previous, string Changes, string Phase, int Starts, string? Reason)
{
    public const string Applied = "applied";
    public const string RolledBack = "rolledBack";
}
