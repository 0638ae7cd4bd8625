namespace Kiosk.Agent.Outbox;

/// <summary>A record as it sits in the outbox, waiting for the platform's acknowledgement.</summary>
public sealed record StoredRecord(
    long Seq,
    string RecordId,
    RecordKind Kind,
    RecordPriority Priority,
    int SchemaVersion,
    DateTimeOffset CreatedAt,
    long MonotonicMs,
    string BootId,
    string BodyJson,
    long Bytes,
    int Attempts,
    IReadOnlyList<StoredAttachment> Attachments);

/// <param name="AckedChunks">Chunks 0..AckedChunks-1 are held by the platform (its <c>progress</c> report); sending resumes there.</param>
/// <param name="Sealed">Stored encrypted (AES-GCM, the outbox key); <see cref="Length"/> and <see cref="Sha256"/> describe the plaintext.</param>
public sealed record StoredAttachment(long RowId, string AttachmentId, string ContentType, long Length, string Sha256, bool Biometric, int AckedChunks = 0, bool Sealed = false);

/// <summary>What the person is told after a commit: the record's identity and when it was stored.</summary>
public sealed record CommitReceipt(string RecordId, long Seq, DateTimeOffset CommittedAt, TimeSpan Duration);

public sealed record OutboxStats(long Records, long Bytes, DateTimeOffset? OldestCreatedAt, long CheckIns, long Alerts);
