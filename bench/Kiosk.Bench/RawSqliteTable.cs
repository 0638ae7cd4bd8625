using Microsoft.Data.Sqlite;

namespace Kiosk.Bench;

/// <summary>
/// The commit baseline: one table, one INSERT of the same bytes per transaction, with the outbox's durability
/// pragmas (WAL, synchronous=FULL). No audit row, no seq, no hashing, no blob streaming.
/// </summary>
internal sealed class RawSqliteTable : IDisposable
{
    private readonly SqliteConnection _connection;

    public RawSqliteTable(string path)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _connection.Open();
        using var setup = _connection.CreateCommand();
        setup.CommandText = """
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            CREATE TABLE IF NOT EXISTS rows(id INTEGER PRIMARY KEY, body TEXT NOT NULL, data BLOB);
            """;
        setup.ExecuteNonQuery();
    }

    public void Insert(string body, byte[]? data)
    {
        using var transaction = _connection.BeginTransaction();
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO rows(body, data) VALUES ($body, $data);";
        insert.Parameters.AddWithValue("$body", body);
        insert.Parameters.AddWithValue("$data", (object?)data ?? DBNull.Value);
        insert.ExecuteNonQuery();
        transaction.Commit();
    }

    public void Dispose() => _connection.Dispose();
}
