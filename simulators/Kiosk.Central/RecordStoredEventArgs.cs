namespace Kiosk.Central;

/// <summary>Raised after a record is committed (or found already committed, <see cref="IsDuplicate"/>) and before its ack is sent.</summary>
public sealed class RecordStoredEventArgs(string siteId, string kioskId, string recordId, string kind, long seq, bool isDuplicate, DateTimeOffset storedAt) : EventArgs
{
    public string SiteId { get; } = siteId;

    public string KioskId { get; } = kioskId;

    public string RecordId { get; } = recordId;

    public string Kind { get; } = kind;

    public long Seq { get; } = seq;

    public bool IsDuplicate { get; } = isDuplicate;

    /// <summary>When the record was first committed.</summary>
    public DateTimeOffset StoredAt { get; } = storedAt;
}
