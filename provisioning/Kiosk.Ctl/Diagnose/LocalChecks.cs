using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Kiosk.Ctl.Diagnose;

/// <summary>Disk space and the outbox: integrity, backlog size and age. Read-only: diagnose never changes the outbox.</summary>
internal static class LocalChecks
{
    private const long MinimumFreeBytes = 1L << 30;

    public static IReadOnlyList<DiagnosticCheck> Run(string dataFolder, TimeProvider time)
    {
        var checks = new List<DiagnosticCheck>();
        if (!Directory.Exists(dataFolder))
        {
            checks.Add(new("data folder", false, $"{dataFolder} does not exist", "install the agent with install.ps1, or give --data the folder set in Kiosk:DataFolder"));
            return checks;
        }

        var free = new DriveInfo(Path.GetFullPath(dataFolder)).AvailableFreeSpace;
        checks.Add(free < MinimumFreeBytes
            ? new("disk", false, $"{free / (1 << 20)} MiB free under {dataFolder}", "free disk space: the outbox needs room to keep check-ins while the link is down")
            : new("disk", true, $"{free / (1 << 30)} GiB free under {dataFolder}"));

        var outbox = Path.Combine(dataFolder, "outbox.db");
        if (!File.Exists(outbox))
        {
            checks.Add(new("outbox", true, "no outbox yet (the agent has not run here)"));
            return checks;
        }

        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = outbox, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            var integrity = Scalar(connection, "PRAGMA quick_check;");
            checks.Add(integrity == "ok"
                ? new("outbox integrity", true, "quick_check ok")
                : new("outbox integrity", false, $"quick_check: {integrity}", "restart the agent: it moves the damaged file aside, salvages every readable record and raises an alert; keep the .damaged file for the platform team"));
            var records = long.Parse(Scalar(connection, "SELECT COUNT(*) FROM records;"), CultureInfo.InvariantCulture);
            var oldest = Scalar(connection, "SELECT COALESCE(MIN(created_at), '') FROM records;");
            var age = oldest.Length == 0 ? TimeSpan.Zero : time.GetUtcNow() - DateTimeOffset.Parse(oldest, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            checks.Add(age > TimeSpan.FromHours(1)
                ? new("backlog", false, $"{records} records waiting, the oldest for {age.TotalHours:0.0} h", "the platform has not confirmed them: check the broker checks above, then 'kioskctl status' on the running agent")
                : new("backlog", true, records == 0 ? "nothing waiting" : $"{records} records waiting, the oldest for {age.TotalMinutes:0} min"));
        }
        catch (SqliteException ex)
        {
            checks.Add(new("outbox integrity", false, $"cannot read {outbox}: {ex.Message}", "restart the agent so it salvages the outbox, and keep the damaged file"));
        }

        return checks;
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    }
}
