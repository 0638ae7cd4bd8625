using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox.Recovery;

/// <summary>
/// Copies what can be proven intact from a damaged outbox into a fresh one, in one transaction. A record is
/// copied only when its row reads in full, its body is JSON, and every attachment it has reads in full with the
/// SHA-256 it was committed with; each record sits in its own savepoint so a half-copied one leaves nothing.
/// Reads of the damaged file that fail count as losses; writes to the fresh file that fail abort the salvage.
/// </summary>
internal sealed class OutboxSalvage
{
    private const int CopyBufferBytes = 81920;
    private readonly DamagedOutbox _damaged;
    private readonly SqliteConnection _fresh;
    private readonly SqliteTransaction _transaction;
    private readonly SortedSet<long> _lost = [];
    private readonly HashSet<long> _attachmentsLost = [];
    private int _saved;

    private OutboxSalvage(DamagedOutbox damaged, SqliteConnection fresh, SqliteTransaction transaction)
    {
        _damaged = damaged;
        _fresh = fresh;
        _transaction = transaction;
    }

    public static SalvageResult Run(DamagedOutbox? damaged, SqliteConnection fresh, DateTimeOffset now, string damagedFile)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        using var transaction = fresh.BeginTransaction();
        var result = new SalvageResult(0, [], 0, LostCountKnown: false, HighestSeq: null);
        if (damaged is not null)
        {
            var salvage = new OutboxSalvage(damaged, fresh, transaction);
            result = salvage.CopyRecords();
            salvage.CopyAudit();
        }

        using (var audit = Command(fresh, transaction, "INSERT INTO audit(at, event, record_id, detail) VALUES ($at, 'salvaged', NULL, $detail);"))
        {
            audit.Parameters.AddWithValue("$at", OutboxTime.Format(now));
            audit.Parameters.AddWithValue("$detail", string.Create(CultureInfo.InvariantCulture,
                $"from {Path.GetFileName(damagedFile)}: records saved={result.RecordsSaved} lost={(result.LostCountKnown ? result.LostSeqs.Count.ToString(CultureInfo.InvariantCulture) : "unknown")} lostSeqs={SalvageResult.Ranges(result.LostSeqs)} attachments lost={result.AttachmentsLost}"));
            audit.ExecuteNonQuery();
        }

        transaction.Commit();
        return result;
    }

    private SalvageResult CopyRecords()
    {
        var columns = Shared("records");
        if (AttachmentCatalog.IndexOf(columns, "seq") < 0 || AttachmentCatalog.IndexOf(columns, "body") < 0)
        {
            // The records table itself cannot be read: nothing says how many there were.
            return new SalvageResult(0, [], 0, LostCountKnown: false, HighestSeq: null);
        }

        var attachmentColumns = Shared("attachments").Where(c => !c.Equals("data", StringComparison.OrdinalIgnoreCase)).ToList();
        var catalog = AttachmentCatalog.Read(_damaged, attachmentColumns);
        var sequence = _damaged.Sequence("records");
        var range = _damaged.FindRange("records", sequence);
        long highestSeen = 0;
        var unreadable = new List<long>();
        DamagedOutbox.Probe(
            range,
            seq => _damaged.ReadRow("records", columns, seq),
            (seq, values) =>
            {
                highestSeen = seq;
                if (!CopyRecord(seq, columns, values, catalog))
                {
                    _lost.Add(seq);
                }
            },
            unreadable.Add);

        // In an open-ended range an unreadable rowid past every row seen is more likely a probe past the end than a record.
        var highest = Math.Max(Math.Max(highestSeen, sequence ?? 0), range.Known ? range.Last : 0);
        _lost.UnionWith(unreadable.Where(seq => seq <= highest));
        RaiseSequence(highest);
        _attachmentsLost.UnionWith(catalog.Unreadable.Where(id => id <= catalog.HighestId));
        return new SalvageResult(_saved, [.. _lost], _attachmentsLost.Count, range.Known || sequence is not null, highest);
    }

    private bool CopyRecord(long seq, IReadOnlyList<string> columns, object?[] values, AttachmentCatalog catalog)
    {
        if (!BodyIsIntact(columns, values))
        {
            return false;
        }

        // The index lists a record's attachments even when their table rows are unreadable; without it, an
        // unreadable row next to this record's attachments may be one of them.
        var indexed = _damaged.IndexedAttachmentIds(seq);
        if (indexed is null && catalog.MayOwnUnreadable(seq))
        {
            return false;
        }

        var attachmentIds = catalog.IdsOf(seq).Union(indexed ?? []).Order().ToList();
        var missing = attachmentIds.Where(id => catalog.Row(id) is null).ToList();
        if (missing.Count > 0)
        {
            _attachmentsLost.UnionWith(missing);
            return false;
        }

        _transaction.Save("record");
        Insert("records", columns, values, extra: null);
        foreach (var id in attachmentIds)
        {
            if (!CopyAttachment(catalog.Row(id)!, catalog.Columns))
            {
                _attachmentsLost.Add(id);
                _transaction.Rollback("record");
                _transaction.Release("record");
                return false;
            }
        }

        _transaction.Release("record");
        _saved++;
        return true;
    }

    /// <summary>A plain body must be JSON; a sealed one is checked as stored (its hash), so salvage never needs the key.</summary>
    private static bool BodyIsIntact(IReadOnlyList<string> columns, object?[] values)
    {
        var body = values[AttachmentCatalog.IndexOf(columns, "body")];
        var sealedColumn = AttachmentCatalog.IndexOf(columns, "body_sealed");
        if (sealedColumn < 0 || DamagedOutbox.ToInt64(values[sealedColumn]) != 1)
        {
            return IsJson(body as string);
        }

        var shaColumn = AttachmentCatalog.IndexOf(columns, "body_sha256");
        return body is byte[] stored && shaColumn >= 0 && values[shaColumn] is string expected
            && string.Equals(Convert.ToHexStringLower(SHA256.HashData(stored)), expected, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Streams one attachment's bytes into the fresh file, hashing as it goes; false when they cannot be read or do not match.</summary>
    private bool CopyAttachment(AttachmentRow row, IReadOnlyList<string> columns)
    {
        var lengthColumn = AttachmentCatalog.IndexOf(columns, "length");
        var shaColumn = AttachmentCatalog.IndexOf(columns, "sha256");
        if (lengthColumn < 0 || shaColumn < 0 || row.Values[shaColumn] is not string expectedSha)
        {
            return false;
        }

        var length = DamagedOutbox.ToInt64(row.Values[lengthColumn]);

        // A sealed attachment is checked as stored (its ciphertext hash), so salvage never needs the key.
        var sealedColumn = AttachmentCatalog.IndexOf(columns, "sealed");
        var storedShaColumn = AttachmentCatalog.IndexOf(columns, "stored_sha256");
        if (sealedColumn >= 0 && DamagedOutbox.ToInt64(row.Values[sealedColumn]) == 1)
        {
            if (storedShaColumn < 0 || row.Values[storedShaColumn] is not string storedSha)
            {
                return false;
            }

            expectedSha = storedSha;
            length = Encryption.AttachmentCipher.StoredLength(length);
        }
        SqliteBlob source;
        try
        {
            source = new SqliteBlob(_damaged.Connection, "attachments", "data", row.Id, readOnly: true);
        }
        catch (SqliteException)
        {
            return false;
        }

        using (source)
        {
            if (source.Length != length)
            {
                return false;
            }

            Insert("attachments", columns, row.Values, extra: ("data", $"zeroblob({length.ToString(CultureInfo.InvariantCulture)})"));
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var target = new SqliteBlob(_fresh, "attachments", "data", row.Id);
            var buffer = new byte[CopyBufferBytes];
            while (source.Position < length)
            {
                int read;
                try
                {
                    read = source.Read(buffer, 0, buffer.Length);
                }
                catch (SqliteException)
                {
                    return false;
                }

                if (read == 0)
                {
                    return false;
                }

                target.Write(buffer, 0, read);
                hash.AppendData(buffer, 0, read);
            }

            return string.Equals(Convert.ToHexStringLower(hash.GetHashAndReset()), expectedSha, StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>Best effort: every audit row that reads, with its original id, so the local trail keeps its order.</summary>
    private void CopyAudit()
    {
        var columns = Shared("audit");
        if (AttachmentCatalog.IndexOf(columns, "id") < 0)
        {
            return;
        }

        var range = _damaged.FindRange("audit", _damaged.Sequence("audit"));
        DamagedOutbox.Probe(range, id => _damaged.ReadRow("audit", columns, id), (_, values) => Insert("audit", columns, values, extra: null), _ => { });
    }

    /// <summary>
    /// AUTOINCREMENT hands out max(sqlite_sequence, max rowid) + 1, so seq stays above every seq the damaged file
    /// ever handed out, lost or acknowledged. <c>sqlite_sequence</c> has no unique key, so update before insert.
    /// </summary>
    private void RaiseSequence(long highest)
    {
        using var update = Command(_fresh, _transaction, "UPDATE sqlite_sequence SET seq = MAX(seq, $max) WHERE name = 'records';");
        update.Parameters.AddWithValue("$max", highest);
        if (update.ExecuteNonQuery() == 0)
        {
            using var insert = Command(_fresh, _transaction, "INSERT INTO sqlite_sequence(name, seq) VALUES ('records', $max);");
            insert.Parameters.AddWithValue("$max", highest);
            insert.ExecuteNonQuery();
        }
    }

    private void Insert(string table, IReadOnlyList<string> columns, object?[] values, (string Column, string Sql)? extra)
    {
        var names = columns.Select(DamagedOutbox.Quote).ToList();
        var parameters = columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        if (extra is { } e)
        {
            names.Add(DamagedOutbox.Quote(e.Column));
            parameters.Add(e.Sql);
        }

        using var insert = Command(_fresh, _transaction, $"INSERT INTO {DamagedOutbox.Quote(table)}({string.Join(", ", names)}) VALUES ({string.Join(", ", parameters)});");
        for (var i = 0; i < columns.Count; i++)
        {
            insert.Parameters.AddWithValue(parameters[i], values[i] ?? DBNull.Value);
        }

        insert.ExecuteNonQuery();
    }

    /// <summary>Columns of <paramref name="table"/> present in both files, copied by name so a later migration's columns take their defaults.</summary>
    private List<string> Shared(string table)
    {
        var fresh = new List<string>();
        using (var command = Command(_fresh, _transaction, "SELECT name FROM pragma_table_info($table);"))
        {
            command.Parameters.AddWithValue("$table", table);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                fresh.Add(reader.GetString(0));
            }
        }

        return [.. _damaged.Columns(table).Where(c => fresh.Contains(c, StringComparer.OrdinalIgnoreCase))];
    }

    private static bool IsJson(string? text)
    {
        if (text is null)
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}
