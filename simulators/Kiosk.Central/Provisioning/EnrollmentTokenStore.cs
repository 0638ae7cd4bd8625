using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Kiosk.Central.Provisioning;

/// <summary>One issued token: who it is for, until when, and whether (and when) a certificate was issued with it.</summary>
internal sealed record EnrollmentTokenRow(string SiteId, string KioskId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, DateTimeOffset? UsedAt);

/// <summary>
/// The enrollment tokens, in the simulator's SQLite file (table <c>enrollment_tokens</c>, keyed by the token's SHA-256).
/// A token is spent by one conditional UPDATE, so two requests racing with the same token get one certificate.
/// </summary>
internal sealed class EnrollmentTokenStore : IDisposable
{
    private readonly string _connectionString;

    public EnrollmentTokenStore(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true }.ToString();
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS enrollment_tokens (
                token_sha256 TEXT NOT NULL PRIMARY KEY,
                site_id TEXT NOT NULL,
                kiosk_id TEXT NOT NULL,
                issued_at TEXT NOT NULL,
                expires_at TEXT NOT NULL,
                used_at TEXT,
                certificate_serial TEXT);
            """;
        command.ExecuteNonQuery();
    }

    public void Add(string tokenHash, string siteId, string kioskId, DateTimeOffset issuedAt, DateTimeOffset expiresAt)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO enrollment_tokens (token_sha256, site_id, kiosk_id, issued_at, expires_at)
            VALUES ($hash, $site, $kiosk, $issued, $expires)
            """;
        command.Parameters.AddWithValue("$hash", tokenHash);
        command.Parameters.AddWithValue("$site", siteId);
        command.Parameters.AddWithValue("$kiosk", kioskId);
        command.Parameters.AddWithValue("$issued", Format(issuedAt));
        command.Parameters.AddWithValue("$expires", Format(expiresAt));
        command.ExecuteNonQuery();
    }

    public EnrollmentTokenRow? Find(string tokenHash)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT site_id, kiosk_id, issued_at, expires_at, used_at FROM enrollment_tokens WHERE token_sha256 = $hash";
        command.Parameters.AddWithValue("$hash", tokenHash);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new EnrollmentTokenRow(reader.GetString(0), reader.GetString(1), Parse(reader.GetString(2)), Parse(reader.GetString(3)), reader.IsDBNull(4) ? null : Parse(reader.GetString(4)))
            : null;
    }

    /// <summary>Marks the token used by the certificate with <paramref name="serial"/>; false when it was already used.</summary>
    public bool TryMarkUsed(string tokenHash, DateTimeOffset usedAt, string serial)
    {
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE enrollment_tokens SET used_at = $used, certificate_serial = $serial WHERE token_sha256 = $hash AND used_at IS NULL";
        command.Parameters.AddWithValue("$hash", tokenHash);
        command.Parameters.AddWithValue("$used", Format(usedAt));
        command.Parameters.AddWithValue("$serial", serial);
        return command.ExecuteNonQuery() == 1;
    }

    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous = FULL;";
        pragma.ExecuteNonQuery();
        return connection;
    }
}
