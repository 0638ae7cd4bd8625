using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// The one place that reads the outbox's rows and totals, for the agent's store (on its own connection, under its lock)
/// and for the read-only views (<see cref="OutboxQueueReader"/>): so the sync, <c>/api/status</c>, <c>/api/queue</c> and
/// <c>kioskctl queue</c> cannot disagree about what waits. A row it cannot read (a kind from a newer release, a damaged
/// time) is returned apart as <see cref="UnreadableRecord"/>, never thrown: one bad row must not stop the rest.
/// Not thread-safe per connection.
/// </summary>
public static class OutboxRows
{
    /// <summary>Rows not yet expired, in drain order (priority, then seq).</summary>
    private const string Waiting = "(expires_at IS NULL OR expires_at > $now)";

    /// <summary>
    /// The records waiting, in drain order, at most <paramref name="limit"/> readable ones (all when null), skipping the
    /// seqs in <paramref name="exclude"/> and, unless <paramref name="includeQuarantined"/>, the quarantined rows.
    /// </summary>
    public static (IReadOnlyList<OutboxRecord> Records, IReadOnlyList<UnreadableRecord> Unreadable) Read(
        SqliteConnection connection, DateTimeOffset now, int? limit, bool includeBody, IReadOnlySet<long>? exclude = null, bool includeQuarantined = false)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var schema = Schema.Of(connection);
        var records = new List<OutboxRecord>();
        var unreadable = new List<UnreadableRecord>();
        using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT seq, record_id, kind, priority, schema_version, created_at, monotonic_ms, boot_id, bytes, attempts, last_sent_at, expires_at,
                   {(includeBody ? "body" : "NULL")}, {(schema.SealedBodies ? "body_sealed" : "0")}, {(schema.Quarantine ? "quarantined" : "NULL")}
            FROM records WHERE {Waiting}{(includeQuarantined || !schema.Quarantine ? "" : " AND quarantined IS NULL")}
            ORDER BY priority, seq;
            """;
        query.Parameters.AddWithValue("$now", OutboxTime.Format(now));
        using (var reader = query.ExecuteReader())
        {
            while ((limit is null || records.Count < limit) && reader.Read())
            {
                var seq = reader.GetInt64(0);
                if (exclude?.Contains(seq) == true)
                {
                    continue;
                }

                if (TryRead(reader, includeBody) is { } record)
                {
                    records.Add(record);
                }
                else
                {
                    unreadable.Add(new UnreadableRecord(seq, reader.IsDBNull(1) ? "" : reader.GetValue(1).ToString() ?? "", Problem(reader)));
                }
            }
        }

        var attachments = ReadAttachments(connection, records.Select(r => r.Seq).ToList());
        return ([.. records.Select(r => attachments.TryGetValue(r.Seq, out var list) ? r with { Attachments = list } : r)], unreadable);
    }

    /// <summary>How much waits, and how much of it is quarantined.</summary>
    public static OutboxTotals Totals(SqliteConnection connection, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT COUNT(*), COALESCE(SUM(bytes), 0), MIN(created_at), COALESCE(SUM(kind = 'checkin'), 0), COALESCE(SUM(kind = 'alert'), 0),
                   {(Schema.Of(connection).Quarantine ? "COALESCE(SUM(quarantined IS NOT NULL), 0)" : "0")}
            FROM records WHERE {Waiting};
            """;
        query.Parameters.AddWithValue("$now", OutboxTime.Format(now));
        using var reader = query.ExecuteReader();
        reader.Read();
        return new OutboxTotals(
            reader.GetInt64(0), reader.GetInt64(1), OutboxTime.TryParse(reader.IsDBNull(2) ? null : reader.GetString(2), out var oldest) ? oldest : null,
            reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
    }

    private static OutboxRecord? TryRead(SqliteDataReader reader, bool includeBody)
    {
        if (reader.GetFieldType(1) != typeof(string) || reader.GetFieldType(2) != typeof(string)
            || !RecordKinds.TryFromWireName(reader.GetString(2), out var kind)
            || reader.GetFieldType(5) != typeof(string) || !OutboxTime.TryParse(reader.GetString(5), out var createdAt)
            || !TryTime(reader, 10, out var lastSentAt) || !TryTime(reader, 11, out var expiresAt)
            || reader.GetFieldType(7) != typeof(string))
        {
            return null;
        }

        return new OutboxRecord(
            reader.GetInt64(0), reader.GetString(1), kind, (RecordPriority)reader.GetInt32(3), reader.GetInt32(4), createdAt,
            reader.GetInt64(6), reader.GetString(7), reader.GetInt64(8), reader.GetInt32(9), lastSentAt, expiresAt, [])
        {
            Body = includeBody ? new OutboxBody(BodyBytes(reader, 12), reader.GetInt64(13) == 1) : null,
            Quarantine = reader.IsDBNull(14) ? null : reader.GetValue(14).ToString(),
        };
    }

    /// <summary>A plain body is JSON text; a sealed one is a BLOB.</summary>
    private static byte[] BodyBytes(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? []
        : reader.GetFieldType(ordinal) == typeof(byte[]) ? (byte[])reader.GetValue(ordinal)
        : Encoding.UTF8.GetBytes(reader.GetString(ordinal));

    private static string Problem(SqliteDataReader reader)
    {
        var kind = reader.IsDBNull(2) ? null : reader.GetValue(2).ToString();
        if (!RecordKinds.TryFromWireName(kind, out _))
        {
            return $"record kind '{kind}' is not known to this agent (written by a newer release?)";
        }

        return reader.IsDBNull(5) || !OutboxTime.TryParse(reader.GetValue(5).ToString(), out _)
            ? $"created_at '{(reader.IsDBNull(5) ? "" : reader.GetValue(5))}' is not a time"
            : "a column holds a value of the wrong type";
    }

    private static bool TryTime(SqliteDataReader reader, int ordinal, out DateTimeOffset? time)
    {
        time = null;
        if (reader.IsDBNull(ordinal))
        {
            return true;
        }

        if (reader.GetFieldType(ordinal) == typeof(string) && OutboxTime.TryParse(reader.GetString(ordinal), out var parsed))
        {
            time = parsed;
            return true;
        }

        return false;
    }

    private static Dictionary<long, List<OutboxAttachment>> ReadAttachments(SqliteConnection connection, IReadOnlyList<long> seqs)
    {
        var bySeq = new Dictionary<long, List<OutboxAttachment>>();
        if (seqs.Count == 0)
        {
            return bySeq;
        }

        using var query = connection.CreateCommand();
        query.CommandText = $"""
            SELECT record_seq, id, attachment_id, content_type, length, sha256, biometric, sealed, acked_chunks, length(data), stored_sha256
            FROM attachments WHERE record_seq IN (SELECT value FROM json_each($seqs)) ORDER BY record_seq, id;
            """;
        query.Parameters.AddWithValue("$seqs", "[" + string.Join(',', seqs.Select(s => s.ToString(CultureInfo.InvariantCulture))) + "]");
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            if (!bySeq.TryGetValue(seq, out var list))
            {
                bySeq[seq] = list = [];
            }

            list.Add(new OutboxAttachment(
                reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5), reader.GetInt64(6) == 1,
                reader.GetInt64(7) == 1, reader.GetInt32(8), reader.GetInt64(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return bySeq;
    }

    /// <summary>Which later columns the file has: a stopped agent of an older release may have left an older schema for kioskctl to read.</summary>
    private sealed record Schema(bool Quarantine, bool SealedBodies)
    {
        // Asked once per connection: an open connection's schema does not change under it (migrations run before the
        // first read), and the drain reads pending rows on every wake-up.
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SqliteConnection, Schema> Known = new();

        public static Schema Of(SqliteConnection connection) => Known.GetValue(connection, Read);

        private static Schema Read(SqliteConnection connection)
        {
            using var query = connection.CreateCommand();
            query.CommandText = "SELECT name FROM pragma_table_info('records');";
            var columns = new HashSet<string>(StringComparer.Ordinal);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }

            return new Schema(columns.Contains("quarantined"), columns.Contains("body_sealed"));
        }
    }
}
