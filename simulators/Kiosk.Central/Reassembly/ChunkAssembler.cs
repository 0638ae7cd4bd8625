using System.Security.Cryptography;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Reassembly;

/// <summary>
/// Holds records until all their attachments' chunks have arrived (in any order, before or after the record)
/// and verifies each chunk's and each attachment's SHA-256. Memory is bounded: past <c>maxBufferedBytes</c> the
/// least recently touched incomplete record is dropped; the kiosk sends it again because it was never acknowledged.
/// Every drop is reported in the outcome so the platform can drop the same chunks from its database.
/// Not thread-safe: the platform calls it from its single message-processing path.
/// </summary>
internal sealed class ChunkAssembler(long maxBufferedBytes, TextWriter log)
{
    /// <summary>Records waiting for chunks are few in practice; this only stops a misbehaving kiosk from growing the table forever.</summary>
    public const int MaxPendingRecords = 10_000;

    /// <summary>The <c>retry</c> reason for an attachment that cannot complete because earlier chunks are gone.</summary>
    public const string MissingChunksReason = "missing chunks";

    private readonly Dictionary<string, PendingRecord> _pending = new(StringComparer.Ordinal);
    private long _bufferedBytes;
    private long _arrivals;

    public int PendingRecords => _pending.Count;

    public long BufferedBytes => _bufferedBytes;

    /// <summary>True when the record has arrived and is waiting here for chunks (it is not stored: completing removes it).</summary>
    public bool IsWaitingFor(string siteId, string kioskId, string recordId) =>
        _pending.TryGetValue(Key(siteId, kioskId, recordId), out var pending) && pending.Envelope is not null;

    public AssemblyOutcome AddRecord(RecordEnvelope record)
    {
        var outcome = new AssemblyOutcome();
        var pending = Touch(record.SiteId, record.KioskId, record.RecordId);
        pending.Envelope = record;
        foreach (var (attachmentId, attachment) in pending.Attachments.ToList())
        {
            var descriptor = record.Attachments.FirstOrDefault(a => a.AttachmentId == attachmentId);
            var problem = descriptor is null
                ? $"record {record.RecordId} has no attachment '{attachmentId}' but chunks for it arrived"
                : Disagreement(descriptor, attachment.Reference);
            if (problem is not null)
            {
                outcome.MalformedProblems.Add(problem + "; its buffered chunks are dropped");
                Drop(pending, attachmentId, outcome);
            }
        }

        Complete(pending, outcome);
        EvictOverBudget(outcome);
        return outcome;
    }

    public AssemblyOutcome AddChunk(string siteId, string kioskId, string recordId, string attachmentId, ChunkHeader header, byte[] data)
    {
        var outcome = new AssemblyOutcome();
        var pending = Touch(siteId, kioskId, recordId);
        if (!Convert.ToHexStringLower(SHA256.HashData(data)).Equals(header.ChunkSha256, StringComparison.Ordinal))
        {
            Drop(pending, attachmentId, outcome);
            outcome.HashFailures.Add(new AttachmentFailure(siteId, kioskId, recordId, attachmentId, $"chunkSha256 mismatch at chunk {header.Index}"));
            ForgetIfEmpty(pending);
            return outcome;
        }

        var problem = pending.Envelope is { } envelope
            ? envelope.Attachments.FirstOrDefault(a => a.AttachmentId == attachmentId) is { } descriptor
                ? Disagreement(descriptor, header) ?? ChunkShape(descriptor, header, data.Length)
                : $"record {recordId} has no attachment '{attachmentId}'"
            : pending.Attachments.TryGetValue(attachmentId, out var existing) && !existing.Reference.SameAttachmentAs(header)
                ? "count, length or sha256 differ from earlier chunks of the same attachment"
                : null;
        if (problem is not null)
        {
            outcome.MalformedProblems.Add(problem);
            ForgetIfEmpty(pending);
            return outcome;
        }

        if (!pending.Attachments.TryGetValue(attachmentId, out var attachment))
        {
            attachment = new PendingAttachment(header);
            pending.Attachments.Add(attachmentId, attachment);
        }

        _bufferedBytes += attachment.Add(header, data);
        outcome.AcceptedChunk = new AttachmentKey(siteId, kioskId, recordId, attachmentId);
        Complete(pending, outcome);
        if (outcome.Completed is null && pending.Attachments.TryGetValue(attachmentId, out var held))
        {
            if (header.Index == header.Count - 1 && pending.Envelope is not null && !held.IsComplete(header.Count))
            {
                // Chunks of one attachment come in index order, so after the last one nothing will fill the gap
                // unless the kiosk sends again from the first missing chunk; what is held stays.
                outcome.MissingChunks.Add(new AttachmentFailure(siteId, kioskId, recordId, attachmentId, MissingChunksReason, held.ContiguousCount));
            }

            // Held (so saved, and reported) whether or not a gap was found.
            outcome.ContiguousChunks = held.ContiguousCount;
        }

        EvictOverBudget(outcome);
        return outcome;
    }

    /// <summary>Drops anything buffered for a record that turned out to be stored already.</summary>
    public void Forget(string siteId, string kioskId, string recordId)
    {
        if (_pending.Remove(Key(siteId, kioskId, recordId), out var pending))
        {
            _bufferedBytes -= pending.BufferedBytes;
        }
    }

    private static string Key(string siteId, string kioskId, string recordId) => $"{siteId}/{kioskId}/{recordId}";

    private static string? Disagreement(AttachmentDescriptor descriptor, ChunkHeader header) =>
        descriptor.ChunkCount == header.Count && descriptor.Length == header.Length && descriptor.Sha256 == header.Sha256
            ? null
            : $"chunks of '{descriptor.AttachmentId}' say count={header.Count} length={header.Length} but the record says chunkCount={descriptor.ChunkCount} length={descriptor.Length} (or sha256 differs)";

    private static string? ChunkShape(AttachmentDescriptor descriptor, ChunkHeader header, int size)
    {
        var offset = (long)header.Index * descriptor.ChunkSize;
        var expectedSize = Math.Min(descriptor.ChunkSize, descriptor.Length - offset);
        return header.Offset == offset && size == expectedSize
            ? null
            : $"chunk {header.Index} of '{descriptor.AttachmentId}' has offset {header.Offset} and {size} bytes, expected {offset} and {expectedSize}";
    }

    private PendingRecord Touch(string siteId, string kioskId, string recordId)
    {
        var key = Key(siteId, kioskId, recordId);
        if (!_pending.TryGetValue(key, out var pending))
        {
            pending = new PendingRecord(siteId, kioskId, recordId);
            _pending.Add(key, pending);
        }

        pending.LastTouched = ++_arrivals;
        return pending;
    }

    private void Complete(PendingRecord pending, AssemblyOutcome outcome)
    {
        if (pending.Envelope is not { } envelope)
        {
            return;
        }

        if (envelope.Attachments.Any(d => d.ChunkCount > 0 && !(pending.Attachments.TryGetValue(d.AttachmentId, out var a) && a.IsComplete(d.ChunkCount))))
        {
            return;
        }

        var assembled = new List<AssembledAttachment>();
        foreach (var descriptor in envelope.Attachments)
        {
            var content = descriptor.ChunkCount == 0 ? [] : pending.Attachments[descriptor.AttachmentId].Concatenate(descriptor.Length);
            if (content is null || !Convert.ToHexStringLower(SHA256.HashData(content)).Equals(descriptor.Sha256, StringComparison.Ordinal))
            {
                Drop(pending, descriptor.AttachmentId, outcome);
                outcome.HashFailures.Add(new AttachmentFailure(pending.SiteId, pending.KioskId, pending.RecordId, descriptor.AttachmentId, "sha256 mismatch"));
            }
            else
            {
                assembled.Add(new AssembledAttachment(descriptor, content));
            }
        }

        if (outcome.HashFailures.Count == 0)
        {
            Forget(pending.SiteId, pending.KioskId, pending.RecordId);
            outcome.Completed = new CompletedRecord(envelope, assembled);
        }
    }

    private void Drop(PendingRecord pending, string attachmentId, AssemblyOutcome outcome)
    {
        if (pending.Attachments.Remove(attachmentId, out var attachment))
        {
            _bufferedBytes -= attachment.BufferedBytes;
        }

        outcome.DroppedAttachments.Add(new AttachmentKey(pending.SiteId, pending.KioskId, pending.RecordId, attachmentId));
    }

    private void ForgetIfEmpty(PendingRecord pending)
    {
        if (pending.Envelope is null && pending.Attachments.Count == 0)
        {
            _pending.Remove(Key(pending.SiteId, pending.KioskId, pending.RecordId));
        }
    }

    private void EvictOverBudget(AssemblyOutcome outcome)
    {
        while ((_bufferedBytes > maxBufferedBytes || _pending.Count > MaxPendingRecords) && _pending.Count > 1)
        {
            var oldest = _pending.Values.MinBy(p => p.LastTouched)!;
            log.WriteLine($"central: reassembly buffer full; dropping incomplete record {oldest.RecordId} of {oldest.SiteId}/{oldest.KioskId} ({oldest.BufferedBytes} bytes); the kiosk will resend it");
            Forget(oldest.SiteId, oldest.KioskId, oldest.RecordId);
            outcome.DroppedRecords.Add(new RecordKey(oldest.SiteId, oldest.KioskId, oldest.RecordId));
        }
    }
}
