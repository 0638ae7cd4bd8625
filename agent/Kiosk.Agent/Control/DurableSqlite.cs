using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Control;

/// <summary>
/// Opens the agent's small SQLite stores (the control store, the consent store) the one way they all need: WAL,
/// synchronous=FULL, deleted rows overwritten on disk, a busy timeout, the store's tables created, and a quick integrity
/// check whose failure the caller answers (each store decides whether a damaged file is set aside or started afresh).
/// </summary>
internal static class DurableSqlite
{
    /// <param name="schema">The store's <c>CREATE ... IF NOT EXISTS</c> statements.</param>
    /// <param name="storeName">For the integrity error, e.g. "control store".</param>
    public static SqliteConnection Open(string path, string schema, string storeName)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA secure_delete = ON;
                PRAGMA busy_timeout = 5000;
                """ + "\n" + schema;
            command.ExecuteNonQuery();
            command.CommandText = "PRAGMA quick_check";
            if (command.ExecuteScalar() is not "ok" and var check)
            {
                throw new SqliteException($"{storeName} failed its integrity check: {check}", 11);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
