using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Kiosk.Agent.Control;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Agent.Consent;

/// <summary>
/// The consents people gave at this kiosk, so the next check-in shows a short notice instead of asking again, kept across
/// restarts in <c>consent.db</c> in the data folder.
/// <para>
/// Why a file of its own and not the control store: the control store keeps what the platform told the kiosk, and a damaged
/// one is rebuilt from what the platform sends again; a consent is what a person told this kiosk, withdrawn by deleting
/// it, and nothing sends it again. Its own small file lets a withdrawal be a plain delete under <c>secure_delete</c> with
/// the WAL truncated after it, and a damaged file simply goes (everyone is asked again; the evidence of each consent is in
/// the check-in record that carried it, not here).
/// </para>
/// <para>
/// Nothing in it names anyone: a row is keyed by HMAC-SHA256 of the platform's personId under a key derived (HKDF) from
/// the outbox key, which never lies in this file (DPAPI on Windows, a root-only key file on Linux). Without that key the
/// rows cannot be tied to a person, not even by trying every ID number; the scope and the time are all a row holds.
/// </para>
/// Thread safety: every member may be called from any thread; one connection, one gate.
/// </summary>
public sealed partial class ConsentStore : IDisposable
{
    /// <summary>The store's file in the data folder.</summary>
    public const string FileName = "consent.db";

    private static readonly byte[] PersonKeyInfo = "kiosk consent: person key v1"u8.ToArray();

    private readonly SqliteConnection _connection;
    private readonly byte[] _personKey;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private ConsentStore(SqliteConnection connection, byte[] personKey)
    {
        _connection = connection;
        _personKey = personKey;
    }

    /// <summary>Opens (creating if needed) <paramref name="path"/>. A file that is not a readable consent store is deleted and started afresh.</summary>
    /// <param name="key">The outbox key (32 bytes); the key that hides who a row belongs to is derived from it.</param>
    public static ConsentStore Open(string path, byte[] key, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException("the outbox key is 32 bytes", nameof(key));
        }

        var personKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, key, 32, salt: [], info: PersonKeyInfo);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        try
        {
            return new ConsentStore(DurableSqlite.Open(path, Schema, "consent store"), personKey);
        }
        catch (SqliteException ex)
        {
            // Damaged: forgetting consents only means asking again, while a kept copy would keep what a withdrawal deleted.
            LogStartedAfresh(logger ?? NullLogger.Instance, path, ex.Message);
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(path + suffix);
            }

            return new ConsentStore(DurableSqlite.Open(path, Schema, "consent store"), personKey);
        }
    }

    private const string Schema = """
            CREATE TABLE IF NOT EXISTS consents (person_key TEXT PRIMARY KEY, scope TEXT NOT NULL, given_at INTEGER NOT NULL) WITHOUT ROWID;
        """;

    /// <summary>The consent on file for <paramref name="personId"/> (whatever its scope), or null.</summary>
    public async Task<ConsentOnFile?> FindAsync(string personId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT scope, given_at FROM consents WHERE person_key = $key";
            command.Parameters.AddWithValue("$key", KeyOf(personId));
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || ConsentScope.FromStoredJson(reader.GetString(0)) is not { } scope)
            {
                return null;
            }

            return new ConsentOnFile(scope, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Keeps <paramref name="personId"/>'s consent to <paramref name="scope"/>, replacing any earlier one; durable before it returns.</summary>
    public async Task SaveAsync(string personId, ConsentScope scope, DateTimeOffset givenAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT INTO consents (person_key, scope, given_at) VALUES ($key, $scope, $at) ON CONFLICT (person_key) DO UPDATE SET scope = excluded.scope, given_at = excluded.given_at";
            command.Parameters.AddWithValue("$key", KeyOf(personId));
            command.Parameters.AddWithValue("$scope", scope.ToStoredJson());
            command.Parameters.AddWithValue("$at", givenAt.ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deletes <paramref name="personId"/>'s consent; true when there was one. The row is overwritten in the file
    /// (<c>secure_delete</c>) and the WAL, which still holds its earlier pages, is checkpointed and truncated.
    /// </summary>
    public async Task<bool> WithdrawAsync(string personId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM consents WHERE person_key = $key";
            command.Parameters.AddWithValue("$key", KeyOf(personId));
            var deleted = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            using var checkpoint = _connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return deleted;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>How many consents are on file (for status and tests).</summary>
    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM consents";
            return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        }
        finally
        {
            _gate.Release();
        }
    }

    private string KeyOf(string personId)
    {
        ArgumentException.ThrowIfNullOrEmpty(personId);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_personKey, Encoding.UTF8.GetBytes(personId)));
    }

    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
        CryptographicOperations.ZeroMemory(_personKey);
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "The consent store {Path} was not readable ({Problem}); it was deleted and started afresh: people are asked for consent again")]
    private static partial void LogStartedAfresh(ILogger logger, string path, string problem);
}
