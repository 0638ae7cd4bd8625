using System.Globalization;
using Kiosk.Agent.Outbox.Recovery;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Checks the outbox file before it is opened and salvages a damaged one: the damaged file (with its
/// <c>-wal</c>/<c>-shm</c>) is moved aside and kept, never deleted; what reads intact goes into a fresh file.
/// </summary>
internal static class OutboxRecovery
{
    // SQLite primary result codes (https://sqlite.org/rescode.html): only these mean the file itself is bad.
    // Anything else (busy, locked, cannot open, I/O, full) is thrown: moving a healthy file aside is worse than not starting.
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;
    private const string DamagedInfix = ".damaged-";
    private const string ScratchSuffix = ".salvaging";

    /// <summary>Returns null when the file is healthy (or new); otherwise what was salvaged.</summary>
    public static OutboxRecoveryReport? RecoverIfDamaged(string path, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            // Moved aside but not yet replaced: a recovery was interrupted (power cut); finish it rather than start empty.
            return LatestDamagedFile(fullPath) is { } interrupted
                ? Salvage(fullPath, interrupted, "an earlier salvage of this file was interrupted; salvaged again", timeProvider)
                : null;
        }

        if (new FileInfo(fullPath).Length == 0 && !HasContent(fullPath + "-wal"))
        {
            return null;
        }

        if (Diagnose(fullPath) is not { } problem)
        {
            return null;
        }

        SqliteConnection.ClearAllPools();
        var damagedFile = MoveAside(fullPath, timeProvider.GetUtcNow());
        return Salvage(fullPath, damagedFile, problem, timeProvider);
    }

    /// <summary>
    /// Null when the file opens and <c>PRAGMA quick_check</c> says "ok"; otherwise what is wrong. Opened read-only,
    /// so a leftover <c>-wal</c> from a crash is read (as SQLite always does) but nothing is written to a file that may be evidence.
    /// </summary>
    internal static string? Diagnose(string path)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check;";
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read())
            {
                lines.Add(reader.IsDBNull(0) ? string.Empty : reader.GetString(0));
            }

            return lines is ["ok"] ? null : string.Create(CultureInfo.InvariantCulture, $"quick_check: {lines.FirstOrDefault() ?? "no result"}{(lines.Count > 1 ? $" (+{lines.Count - 1} more)" : string.Empty)}");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            return e.Message;
        }
    }

    /// <summary>Renames the file and its companions to <c>{path}.damaged-{UTC time}</c>; the <c>-wal</c> goes first so it can never be replayed into the fresh file.</summary>
    private static string MoveAside(string path, DateTimeOffset now)
    {
        var stamp = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = path + DamagedInfix + stamp;
        for (var n = 1; File.Exists(target) || File.Exists(target + "-wal"); n++)
        {
            target = string.Create(CultureInfo.InvariantCulture, $"{path}{DamagedInfix}{stamp}-{n}");
        }

        foreach (var suffix in new[] { "-wal", "-shm", string.Empty })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, target + suffix);
            }
        }

        return target;
    }

    /// <summary>
    /// Builds the fresh outbox beside the real one and renames it into place only when complete, so a power cut
    /// mid-salvage leaves no half-salvaged outbox, only a damaged file that the next start salvages again.
    /// </summary>
    private static OutboxRecoveryReport Salvage(string path, string damagedFile, string problem, TimeProvider timeProvider)
    {
        var scratch = path + ScratchSuffix;
        foreach (var suffix in new[] { "-wal", "-shm", string.Empty })
        {
            // Our own leftover from an interrupted salvage; the evidence is in the damaged file.
            File.Delete(scratch + suffix);
        }

        SalvageResult result;
        using (var fresh = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = scratch, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString()))
        {
            fresh.Open();
            Execute(fresh, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
            OutboxMigrations.Apply(fresh);
            var repairedCopy = path + ScratchSuffix + "-source";
            var damaged = DamagedOutbox.TryOpen(damagedFile) ?? HeaderRepair.TryOpenRepaired(damagedFile, repairedCopy);
            try
            {
                result = OutboxSalvage.Run(damaged, fresh, timeProvider.GetUtcNow(), damagedFile);
            }
            finally
            {
                damaged?.Dispose();
                HeaderRepair.Delete(repairedCopy);
            }

            // One self-contained file, so the rename below cannot leave committed pages behind in a -wal.
            Execute(fresh, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE;");
        }

        SqliteConnection.ClearAllPools();
        File.Move(scratch, path);
        return new OutboxRecoveryReport(damagedFile, problem, result.RecordsSaved, result.LostSeqs.Count, result.AttachmentsLost)
        {
            LostCountKnown = result.LostCountKnown,
            LostSeqs = SalvageResult.Ranges(result.LostSeqs),
            HighestSeq = result.HighestSeq,
        };
    }

    private static string? LatestDamagedFile(string path)
    {
        var directory = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(directory))
        {
            return null;
        }

        return Directory.EnumerateFiles(directory, Path.GetFileName(path) + DamagedInfix + "*")
            .Where(f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .LastOrDefault();
    }

    private static bool HasContent(string file) => File.Exists(file) && new FileInfo(file).Length > 0;

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// What a salvage of a damaged outbox saved and lost, and where the damaged file was kept.
/// <see cref="RecordsLost"/> is an upper bound: a seq whose page is unreadable counts as lost even if it had been
/// acknowledged and deleted. When <see cref="LostCountKnown"/> is false the records table could not be read far
/// enough to know how many there were; the damaged file still holds them.
/// </summary>
public sealed record OutboxRecoveryReport(string DamagedFile, string Problem, int RecordsSaved, int RecordsLost, int AttachmentsLost)
{
    public bool LostCountKnown { get; init; } = true;

    /// <summary>The lost seqs as ranges (<c>3-7,12</c>), for the platform to compare with what it already received.</summary>
    public string LostSeqs { get; init; } = string.Empty;

    /// <summary>The highest seq the damaged file ever handed out, when known; the fresh file continues above it.</summary>
    public long? HighestSeq { get; init; }
}
