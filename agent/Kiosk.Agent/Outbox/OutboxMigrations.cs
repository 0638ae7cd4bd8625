using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Versioned schema: <c>PRAGMA user_version</c> holds the last applied step; each step runs in its own
/// transaction so a crash mid-migration leaves the previous version intact.
/// </summary>
internal static class OutboxMigrations
{
    private static readonly string[] Steps =
    [
        // 1: records, their attachments, and the local audit trail.
        """
        CREATE TABLE records(
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            record_id TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            priority INTEGER NOT NULL,
            schema_version INTEGER NOT NULL,
            created_at TEXT NOT NULL,
            monotonic_ms INTEGER NOT NULL,
            boot_id TEXT NOT NULL,
            body TEXT NOT NULL,
            bytes INTEGER NOT NULL,
            expires_at TEXT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_sent_at TEXT NULL);
        CREATE INDEX records_drain ON records(priority, seq);
        CREATE TABLE attachments(
            id INTEGER PRIMARY KEY,
            record_seq INTEGER NOT NULL REFERENCES records(seq) ON DELETE CASCADE,
            attachment_id TEXT NOT NULL,
            content_type TEXT NOT NULL,
            length INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            biometric INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE(record_seq, attachment_id));
        CREATE TABLE audit(
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            event TEXT NOT NULL,
            record_id TEXT NULL,
            detail TEXT NULL);
        """,

        // 2: how many chunks of each attachment the platform holds, so an interrupted upload resumes there.
        """
        ALTER TABLE attachments ADD COLUMN acked_chunks INTEGER NOT NULL DEFAULT 0;
        """,

        // 3: biometric attachments sealed at rest; stored_sha256 is the hash of the bytes as stored, so salvage
        // can verify a sealed attachment without the key.
        """
        ALTER TABLE attachments ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE attachments ADD COLUMN stored_sha256 TEXT NULL;
        """,

        // 4: record bodies sealed at rest (they carry the person's name, ID number and answers), with the hash of the
        // stored bytes for salvage; and a quarantine mark for a row the sync cannot send (unreadable, or tampered with),
        // so it is kept for staff instead of blocking the rest of the backlog.
        """
        ALTER TABLE records ADD COLUMN body_sealed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE records ADD COLUMN body_sha256 TEXT NULL;
        ALTER TABLE records ADD COLUMN quarantined TEXT NULL;
        """,
    ];

    public static int LatestVersion => Steps.Length;

    public static void Apply(SqliteConnection connection)
    {
        var version = CurrentVersion(connection);
        if (version > LatestVersion)
        {
            throw new InvalidOperationException($"the outbox database has schema version {version}, newer than this agent's {LatestVersion}; upgrade the agent or restore its previous version (install.ps1 -Rollback)");
        }

        for (var step = version; step < LatestVersion; step++)
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = Steps[step] + $"\nPRAGMA user_version = {step + 1};";
            command.ExecuteNonQuery();
            transaction.Commit();
        }
    }

    public static int CurrentVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
