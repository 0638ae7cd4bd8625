namespace Kiosk.Central.Messages;

/// <summary>The MQTT 5 user properties of one blob chunk (docs/mqtt-contract.md, "blobs").</summary>
internal sealed record ChunkHeader(int Index, int Count, long Offset, long Length, string Sha256, string ChunkSha256)
{
    /// <summary>True when two chunks describe the same attachment.</summary>
    public bool SameAttachmentAs(ChunkHeader other) =>
        Count == other.Count && Length == other.Length && Sha256 == other.Sha256;
}
