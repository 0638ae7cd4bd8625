namespace Kiosk.Central.Reassembly;

/// <summary>An attachment that failed verification; its chunks were dropped and the kiosk is asked to resend it.</summary>
internal sealed record AttachmentFailure(string SiteId, string KioskId, string RecordId, string AttachmentId, string Reason);
