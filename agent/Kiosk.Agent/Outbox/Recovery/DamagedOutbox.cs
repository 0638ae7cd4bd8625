using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox.Recovery;

/// <summary>
/// A damaged outbox file, opened read-only. Every read is one row by its rowid and catches
/// <see cref="SqliteException"/>, so one unreadable page costs the rows on it, not the rest of the file.
/// </summary>
internal sealed class DamagedOutbox : IDisposable
{
    /// <summary>When the highest rowid is unknown, probing stops after this many rowids in a row without a row.</summary>
    private const int ProbeMissLimit = 10_000;
    private const long ProbeCeiling = 1_000_000;

    private readonly SqliteConnection _connection;

    private DamagedOutbox(SqliteConnection connection) => _connection = connection;

    public SqliteConnection Connection => _connection;

    /// <summary>Opens <paramref name="path"/> read-only; null when SQLite cannot even read its schema.</summary>
    public static DamagedOutbox? TryOpen(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();

            // Without writable_schema SQLite refuses a file shorter than its header says (truncated) before
            // reading a single row; the connection is read-only, so nothing can be written either way.
            command.CommandText = "PRAGMA writable_schema = ON; SELECT COUNT(*) FROM sqlite_master;";
            command.ExecuteScalar();
            return new DamagedOutbox(connection);
        }
        catch (SqliteException)
        {
            connection.Dispose();
            return null;
        }
    }

    /// <summary>Column names of <paramref name="table"/>, in schema order; empty when the schema is unreadable.</summary>
    public IReadOnlyList<string> Columns(string table)
    {
        var columns = new List<string>();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT name FROM pragma_table_info('{table}');";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                columns.Add(reader.GetString(0));
            }
        }
        catch (SqliteException)
        {
            columns.Clear();
        }

        return columns;
    }

    /// <summary>The AUTOINCREMENT high-water mark of <paramref name="table"/>, when <c>sqlite_sequence</c> is readable.</summary>
    public long? Sequence(string table)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT MAX(seq) FROM sqlite_sequence WHERE name = $name;";
            command.Parameters.AddWithValue("$name", table);
            return command.ExecuteScalar() is long seq ? seq : null;
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    /// <summary>
    /// The rowids of <paramref name="table"/> to probe: exact when <c>MIN/MAX</c> reads, otherwise from a
    /// rowid scan that stops at the first bad page, widened to <paramref name="sequence"/>; open-ended
    /// (<see cref="RowIdRange.Known"/> false) when neither says where the table ends.
    /// </summary>
    public RowIdRange FindRange(string table, long? sequence)
    {
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT MIN(rowid), MAX(rowid) FROM \"{table}\";";
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                if (reader.IsDBNull(0))
                {
                    // Empty table; rows above a readable sqlite_sequence cannot exist, those below were deleted.
                    return new RowIdRange(1, 0, Known: true, SeenUpTo: 0);
                }

                var max = reader.GetInt64(1);
                return new RowIdRange(reader.GetInt64(0), max, Known: true, SeenUpTo: max);
            }
        }
        catch (SqliteException)
        {
            // Fall through to the scan.
        }

        long? first = null;
        long? last = null;
        var complete = false;
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = $"SELECT rowid FROM \"{table}\" ORDER BY rowid;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var rowId = reader.GetInt64(0);
                first ??= rowId;
                last = rowId;
            }

            complete = true;
        }
        catch (SqliteException)
        {
            // The scan stopped at a bad page; what it saw still narrows the range.
        }

        // A scan that failed part-way saw the rows left of the bad page only, so the start may be later than 1 only if it completed.
        var start = complete && first is { } f ? f : 1;
        var end = Math.Max(last ?? 0, sequence ?? 0);
        return complete || sequence is not null
            ? new RowIdRange(start, end, Known: true, SeenUpTo: end)
            : new RowIdRange(start, Math.Max(end, ProbeCeiling), Known: false, SeenUpTo: last ?? 0);
    }

    /// <summary>
    /// Reads each rowid of <paramref name="range"/> with <paramref name="read"/> (null: no row there) and hands
    /// the rows to <paramref name="found"/>, outside the catch, so a failure writing them is not mistaken for
    /// damage. A rowid whose page cannot be read goes to <paramref name="unreadable"/>. In an open-ended range
    /// probing stops <see cref="ProbeMissLimit"/> rowids past the last row seen.
    /// </summary>
    public static void Probe<T>(RowIdRange range, Func<long, T?> read, Action<long, T> found, Action<long> unreadable)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(found);
        ArgumentNullException.ThrowIfNull(unreadable);
        var misses = 0;
        for (var rowId = range.First; rowId <= range.Last; rowId++)
        {
            T? row;
            try
            {
                row = read(rowId);
            }
            catch (SqliteException)
            {
                unreadable(rowId);
                row = null;
            }

            if (row is not null)
            {
                found(rowId, row);
                misses = 0;
            }
            else if (!range.Known && rowId > range.SeenUpTo && ++misses >= ProbeMissLimit)
            {
                return;
            }
        }
    }

    /// <summary>Reads one row of <paramref name="table"/> in full, or null when there is none; throws <see cref="SqliteException"/> when its page is bad.</summary>
    public object?[]? ReadRow(string table, IReadOnlyList<string> columns, long rowId)
    {
        ArgumentNullException.ThrowIfNull(columns);
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(Quote))} FROM \"{table}\" WHERE rowid = $id;";
        command.Parameters.AddWithValue("$id", rowId);
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return null;
        }

        var values = new object?[columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        }

        return values;
    }

    /// <summary>The attachment rowids the <c>(record_seq, attachment_id)</c> index lists for a record; null when the index cannot be read.</summary>
    public IReadOnlyList<long>? IndexedAttachmentIds(long seq)
    {
        try
        {
            var ids = new List<long>();
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id FROM attachments WHERE record_seq = $seq;";
            command.Parameters.AddWithValue("$seq", seq);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetInt64(0));
            }

            return ids;
        }
        catch (SqliteException)
        {
            return null;
        }
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static long ToInt64(object? value) => Convert.ToInt64(value, CultureInfo.InvariantCulture);

    public void Dispose() => _connection.Dispose();
}

/// <summary>
/// Rowids to probe, <paramref name="First"/> to <paramref name="Last"/> inclusive. <paramref name="Known"/> when
/// <paramref name="Last"/> is the table's real end; otherwise <paramref name="SeenUpTo"/> is the highest rowid seen.
/// </summary>
internal readonly record struct RowIdRange(long First, long Last, bool Known, long SeenUpTo);
