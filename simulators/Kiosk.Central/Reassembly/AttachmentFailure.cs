namespace Kiosk.Central.Reassembly;

/// <summary>
/// An attachment the kiosk is asked to send again, from <paramref name="FromChunk"/> on: 0 after a failed
/// verification (its chunks were dropped), the first missing index when only a gap is missing (the rest is kept).
/// </summary>
internal sealed record AttachmentFailure(string SiteId, string KioskId, string RecordId, string AttachmentId, string Reason, int FromChunk = 0);
