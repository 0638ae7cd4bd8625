namespace Kiosk.Central.Messages;

/// <summary>What <see cref="RecordBatchReader"/> made of one message: the good records and one problem per rejected record.</summary>
internal sealed record RecordBatch(IReadOnlyList<RecordEnvelope> Records, IReadOnlyList<string> Problems);
