using System.Text.Json.Nodes;

namespace Kiosk.Agent.Outbox;

/// <summary>A record to commit: its body and the attachments that must be stored in the same transaction.</summary>
public sealed record NewRecord(RecordKind Kind, JsonObject Body)
{
    public IReadOnlyList<NewAttachment> Attachments { get; init; } = [];

    /// <summary>Only telemetry may expire; check-ins and alerts are kept until the platform confirms them.</summary>
    public TimeSpan? TimeToLive { get; init; }
}

/// <summary>
/// An attachment streamed into the outbox. <paramref name="OpenContent"/> is called once, inside the
/// commit's transaction; its stream must yield exactly <paramref name="Length"/> bytes.
/// Biometric attachments (face, fingerprint, voice, signature) are deleted as soon as the platform confirms them.
/// </summary>
public sealed record NewAttachment(string AttachmentId, string ContentType, long Length, Func<Stream> OpenContent, bool Biometric)
{
    public static NewAttachment FromBytes(string attachmentId, string contentType, ReadOnlyMemory<byte> bytes, bool biometric) =>
        new(attachmentId, contentType, bytes.Length, () => new MemoryStream(bytes.ToArray(), writable: false), biometric);
}
