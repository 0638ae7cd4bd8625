namespace Kiosk.Central.Reassembly;

/// <summary>One attachment of one record of one kiosk: the key of its pending chunks.</summary>
internal sealed record AttachmentKey(string SiteId, string KioskId, string RecordId, string AttachmentId);
