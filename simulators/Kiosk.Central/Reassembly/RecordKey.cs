namespace Kiosk.Central.Reassembly;

/// <summary>One record of one kiosk.</summary>
internal sealed record RecordKey(string SiteId, string KioskId, string RecordId);
