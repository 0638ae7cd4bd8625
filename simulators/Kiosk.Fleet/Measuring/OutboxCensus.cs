using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Kiosk.Fleet.Measuring;

/// <summary>
/// What one kiosk's outbox file says, read with plain SQLite after the kiosk has stopped (not through the agent): the
/// last seq it ever handed out (AUTOINCREMENT's counter, which deletes do not lower, so every seq from 1 to it was
/// committed) and the seqs still in the file (unacknowledged, or quarantined).
/// </summary>
internal sealed record OutboxCensus(string SiteId, string KioskId, long LastSeq, IReadOnlySet<long> Remaining)
{
    public static OutboxCensus Read(string siteId, string kioskId, string outboxPath)
    {
        if (!File.Exists(outboxPath))
        {
            throw new FileNotFoundException($"the outbox of {siteId}/{kioskId} is missing", outboxPath);
        }

        // Read-write (not read-only) so SQLite may replay the WAL the stopped kiosk left; nothing is written.
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = outboxPath, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString());
        connection.Open();
        using var last = connection.CreateCommand();
        last.CommandText = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'records'), 0);";
        var lastSeq = Convert.ToInt64(last.ExecuteScalar(), CultureInfo.InvariantCulture);
        using var rows = connection.CreateCommand();
        rows.CommandText = "SELECT seq FROM records;";
        var remaining = new HashSet<long>();
        using (var reader = rows.ExecuteReader())
        {
            while (reader.Read())
            {
                remaining.Add(reader.GetInt64(0));
            }
        }

        return new OutboxCensus(siteId, kioskId, lastSeq, remaining);
    }
}

/// <summary>One record row in the platform's store: who sent it and its seq there.</summary>
internal readonly record struct StoredRow(string SiteId, string KioskId, long Seq, string RecordId);
