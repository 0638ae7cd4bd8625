using Kiosk.Central.Messages;

namespace Kiosk.Central.Reassembly;

/// <summary>A record and/or its chunks that arrived before the rest did.</summary>
internal sealed class PendingRecord(string siteId, string kioskId, string recordId)
{
    public string SiteId { get; } = siteId;

    public string KioskId { get; } = kioskId;

    public string RecordId { get; } = recordId;

    /// <summary>Null while only chunks have arrived.</summary>
    public RecordEnvelope? Envelope { get; set; }

    public Dictionary<string, PendingAttachment> Attachments { get; } = new(StringComparer.Ordinal);

    /// <summary>Arrival counter of the last message that touched this record; the oldest is evicted first.</summary>
    public long LastTouched { get; set; }

    public long BufferedBytes => Attachments.Values.Sum(a => a.BufferedBytes);
}
