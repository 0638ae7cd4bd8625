namespace Kiosk.Central;

/// <summary>A record as the simulator committed it; <see cref="Json"/> is the record object exactly as the kiosk sent it.</summary>
public sealed record StoredRecord(
    string RecordId,
    string SiteId,
    string KioskId,
    string Kind,
    long Seq,
    string Json,
    DateTimeOffset StoredAt,
    IReadOnlyList<StoredAttachment> Attachments);
