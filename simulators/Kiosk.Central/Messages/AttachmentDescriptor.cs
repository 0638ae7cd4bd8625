namespace Kiosk.Central.Messages;

/// <summary>One entry of a record's <c>attachments</c> array.</summary>
internal sealed record AttachmentDescriptor(string AttachmentId, string ContentType, long Length, string Sha256, int ChunkSize, int ChunkCount);
