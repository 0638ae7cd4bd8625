namespace Kiosk.Central.Acknowledging;

/// <summary>One entry of an ack's <c>progress</c>: the chunks from index 0 on the platform holds durably, without a gap.</summary>
internal sealed record ChunkProgress(string RecordId, string AttachmentId, int ReceivedChunks);
