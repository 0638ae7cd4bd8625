namespace Kiosk.Central;

/// <summary>The metadata of a stored attachment; the bytes come from <see cref="CentralPlatform.GetAttachmentAsync"/>.</summary>
public sealed record StoredAttachment(string AttachmentId, string ContentType, long Length, string Sha256);
