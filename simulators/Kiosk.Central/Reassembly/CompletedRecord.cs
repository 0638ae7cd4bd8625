using Kiosk.Central.Messages;

namespace Kiosk.Central.Reassembly;

/// <summary>A record with every attachment verified: ready to be stored in one transaction.</summary>
internal sealed record CompletedRecord(RecordEnvelope Envelope, IReadOnlyList<AssembledAttachment> Attachments);
