namespace Kiosk.Agent.Outbox;

/// <summary>
/// A record waiting in the outbox until the platform acknowledges it: what the sync sends and what the local API and
/// <c>kioskctl queue</c> list. The JSON body comes only when asked for (it holds personal data, sealed at rest).
/// </summary>
/// <param name="Priority">Drain order: lower goes first (0 alerts, 1 check-ins, 2 audit, 3 telemetry).</param>
/// <param name="Attempts">How many times it was sent (the broker accepted it) without the platform confirming it.</param>
public sealed record OutboxRecord(
    long Seq,
    string RecordId,
    RecordKind Kind,
    RecordPriority Priority,
    int SchemaVersion,
    DateTimeOffset CreatedAt,
    long MonotonicMs,
    string BootId,
    long Bytes,
    int Attempts,
    DateTimeOffset? LastSentAt,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<OutboxAttachment> Attachments)
{
    /// <summary>The record's body as stored, only when read with the body (sync, export).</summary>
    public OutboxBody? Body { get; init; }

    /// <summary>Why the record is held back for staff (kept, not sent); null when it drains as usual.</summary>
    public string? Quarantine { get; init; }
}

/// <summary>A record's body as it sits in the file: its JSON, or its sealed bytes (AES-GCM under the outbox key).</summary>
/// <param name="Stored">The bytes in the <c>body</c> column.</param>
/// <param name="Sealed">True when <paramref name="Stored"/> is sealed; opening it needs the outbox key.</param>
public sealed record OutboxBody(ReadOnlyMemory<byte> Stored, bool Sealed);

/// <param name="RowId">The attachment's row; a sealed attachment's segments are bound to it (their associated data).</param>
/// <param name="Length">Plaintext length; <paramref name="Sha256"/> is the plaintext's hash.</param>
/// <param name="Sealed">Stored encrypted (AES-GCM, the outbox key).</param>
/// <param name="AckedChunks">Chunks 0..AckedChunks-1 are held by the platform (its <c>progress</c> report); sending resumes there.</param>
/// <param name="StoredLength">Bytes as stored (sealed: plaintext plus 28 bytes per 64 KiB segment).</param>
/// <param name="StoredSha256">Hash of the bytes as stored; null for rows written before sealing existed.</param>
public sealed record OutboxAttachment(
    long RowId,
    string AttachmentId,
    string ContentType,
    long Length,
    string Sha256,
    bool Biometric,
    bool Sealed,
    int AckedChunks,
    long StoredLength,
    string? StoredSha256);

/// <summary>A row the outbox cannot read (a kind from a newer release, a damaged date): kept, quarantined, reported.</summary>
public sealed record UnreadableRecord(long Seq, string RecordId, string Problem);

/// <summary>What waits to be sent (rows whose time to live has passed are never sent and not counted).</summary>
/// <param name="Quarantined">Rows held back for staff (unreadable, or an attachment that failed its integrity check); counted in <paramref name="Records"/> too.</param>
public sealed record OutboxTotals(long Records, long Bytes, DateTimeOffset? OldestCreatedAt, long CheckIns, long Alerts, long Quarantined);
