using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;

namespace Kiosk.Central.Storage;

/// <summary>A verified chunk read back from the pending_chunks table.</summary>
internal sealed record PendingChunk(AttachmentKey Key, ChunkHeader Header, byte[] Content);
