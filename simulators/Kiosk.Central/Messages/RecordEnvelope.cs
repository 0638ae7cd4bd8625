namespace Kiosk.Central.Messages;

/// <summary>A well-formed record from a <c>records/{kind}</c> batch; <see cref="Json"/> is its raw JSON text.</summary>
internal sealed record RecordEnvelope(
    string SiteId,
    string KioskId,
    string RecordId,
    long Seq,
    string Kind,
    string Json,
    IReadOnlyList<AttachmentDescriptor> Attachments)
{
    public string KioskKey => SiteId + "/" + KioskId;
}
