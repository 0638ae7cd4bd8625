using Kiosk.Central.Messages;

namespace Kiosk.Central.Reassembly;

/// <summary>An attachment whose chunks all arrived and whose SHA-256 matched.</summary>
internal sealed record AssembledAttachment(AttachmentDescriptor Descriptor, byte[] Content);
