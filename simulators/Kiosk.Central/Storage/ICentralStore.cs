using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;

namespace Kiosk.Central.Storage;

/// <summary>
/// Where the platform keeps what it has stored and what it is still assembling: the simulator's own SQLite file
/// (<see cref="CentralStore"/>, one instance) or a PostgreSQL database several instances share
/// (<see cref="PostgresCentralStore"/>, behind MQTT 5 shared subscriptions). An ack is sent only after
/// <see cref="StoreBatchAsync"/> has returned, so what it names survives a crash of the platform.
/// </summary>
internal interface ICentralStore : IDisposable
{
    /// <summary>True when the pieces of a record may arrive at other instances, so assembly goes through the store.</summary>
    bool Shared { get; }

    /// <summary>When the record was stored, or null when it never was.</summary>
    Task<DateTimeOffset?> FindStoredAtAsync(string recordId, CancellationToken ct);

    /// <summary>The records among <paramref name="recordIds"/> that are stored, with when; one query for a whole batch.</summary>
    Task<IReadOnlyDictionary<string, DateTimeOffset>> FindStoredAtAsync(IReadOnlyCollection<string> recordIds, CancellationToken ct);

    /// <summary>
    /// Group commit, in ONE durable transaction: applies <paramref name="pending"/> in order (a chunk of a record stored
    /// by this same group is not saved), then stores every record with all its attachments and deletes its pending
    /// pieces. Returns, per record in order, true when it was stored now and false when it was there already.
    /// </summary>
    Task<IReadOnlyList<bool>> StoreBatchAsync(IReadOnlyList<PendingWrite> pending, IReadOnlyList<CompletedRecord> records, DateTimeOffset storedAt, CancellationToken ct);

    Task<IReadOnlyList<StoredRecord>> ReadAllAsync(CancellationToken ct);

    Task<byte[]?> ReadAttachmentAsync(string recordId, string attachmentId, CancellationToken ct);

    /// <summary>
    /// Shared stores: saves (or replaces) one verified chunk of an attachment not complete yet, without waiting for the
    /// disk (it is durable after the next <see cref="StoreBatchAsync"/>; nothing reports it as held before). A store of
    /// one instance takes its chunks through <see cref="StoreBatchAsync"/>'s pending writes instead.
    /// </summary>
    Task SavePendingChunkAsync(AttachmentKey key, ChunkHeader header, byte[] content, CancellationToken ct);

    /// <summary>Deletes the pending chunks of one attachment, or every pending piece of the record when <paramref name="attachmentId"/> is null.</summary>
    Task DeletePendingAsync(RecordKey record, string? attachmentId, CancellationToken ct);

    /// <summary>
    /// Deletes every pending piece (chunk, or a shared store's waiting record) of a record that is stored: one instance can
    /// save a late piece while another stores its record, after that commit has deleted the pieces it saw. Returns how
    /// many rows went. Safe at any time: a stored record needs none of them.
    /// </summary>
    Task<int> DeleteSettledPendingAsync(CancellationToken ct);

    /// <summary>Every pending chunk, in site, kiosk, record, attachment and index order.</summary>
    Task<IReadOnlyList<PendingChunk>> ReadPendingChunksAsync(CancellationToken ct);

    /// <summary>Shared stores: keeps a record waiting for its chunks where every instance can see it.</summary>
    Task SavePendingRecordAsync(RecordEnvelope record, CancellationToken ct);

    /// <summary>Shared stores: the waiting record (null when it has not arrived anywhere) and its chunks held so far.</summary>
    Task<(RecordEnvelope? Record, IReadOnlyList<PendingChunk> Chunks)> ReadPendingAsync(RecordKey record, CancellationToken ct);
}
