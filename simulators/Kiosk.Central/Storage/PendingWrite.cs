using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;

namespace Kiosk.Central.Storage;

/// <summary>
/// A change to the pending pieces that the group commit applies inside its own transaction, in the order the message
/// path made it, before the group's records: the message path queues it and goes on instead of waiting for the writer.
/// </summary>
internal abstract record PendingWrite;

/// <summary>Saves (or replaces) one verified chunk of an attachment not complete yet.</summary>
internal sealed record SavePendingChunk(AttachmentKey Key, ChunkHeader Header, byte[] Content) : PendingWrite;

/// <summary>Deletes the pending chunks of one attachment, or every pending piece of the record when <see cref="AttachmentId"/> is null.</summary>
internal sealed record DeletePending(RecordKey Record, string? AttachmentId) : PendingWrite;

/// <summary>The one order both stores apply pending writes in, inside their group-commit transaction.</summary>
internal static class PendingWrites
{
    /// <summary>
    /// Applies <paramref name="pending"/> in order, skipping the save of a chunk whose record is among
    /// <paramref name="storing"/> (its pending pieces go with the record's own commit).
    /// </summary>
    public static async Task ApplyAsync(IReadOnlyList<PendingWrite> pending, IReadOnlyList<CompletedRecord> storing, Func<SavePendingChunk, Task> save, Func<DeletePending, Task> delete)
    {
        var stored = storing.Select(r => r.Envelope.RecordId).ToHashSet(StringComparer.Ordinal);
        foreach (var write in pending)
        {
            switch (write)
            {
                case SavePendingChunk chunk when !stored.Contains(chunk.Key.RecordId):
                    await save(chunk);
                    break;
                case DeletePending drop:
                    await delete(drop);
                    break;
            }
        }
    }
}
