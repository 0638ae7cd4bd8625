namespace Kiosk.Central.Reassembly;

/// <summary>
/// What one record or chunk changed: possibly a record ready to store, hash failures, attachments that can never
/// complete, malformed input, and which buffered chunks were dropped (the platform drops them from its database too).
/// </summary>
internal sealed class AssemblyOutcome
{
    public CompletedRecord? Completed { get; set; }

    public List<AttachmentFailure> HashFailures { get; } = [];

    /// <summary>Attachments whose last chunk arrived while earlier ones are missing; dropped, the kiosk resends them whole.</summary>
    public List<AttachmentFailure> MissingChunks { get; } = [];

    public List<string> MalformedProblems { get; } = [];

    /// <summary>The attachment of a chunk that passed its checks and was buffered (it may since be dropped or completed).</summary>
    public AttachmentKey? AcceptedChunk { get; set; }

    /// <summary>Set when the accepted chunk is still held afterwards (its record not complete): the contiguous chunks from index 0.</summary>
    public int? ContiguousChunks { get; set; }

    public List<AttachmentKey> DroppedAttachments { get; } = [];

    /// <summary>Incomplete records evicted to keep within the buffer bounds.</summary>
    public List<RecordKey> DroppedRecords { get; } = [];
}
