using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;
using Microsoft.Data.Sqlite;

namespace Kiosk.Central.Storage;

/// <summary>
/// The pending_chunks table: every verified chunk of an attachment that is not complete yet, so an interrupted
/// upload resumes after a platform restart instead of starting again. Rows go when the record is stored (in the
/// same transaction) or when the platform drops the attachment.
/// </summary>
internal sealed partial class CentralStore
{
    private const string PendingChunksTable = """

        CREATE TABLE IF NOT EXISTS pending_chunks (
            site_id TEXT NOT NULL,
            kiosk_id TEXT NOT NULL,
            record_id TEXT NOT NULL,
            attachment_id TEXT NOT NULL,
            chunk_index INTEGER NOT NULL,
            chunk_count INTEGER NOT NULL,
            chunk_offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            chunk_sha256 TEXT NOT NULL,
            content BLOB NOT NULL,
            PRIMARY KEY (site_id, kiosk_id, record_id, attachment_id, chunk_index));
        """;

    /// <summary>This store is never shared: its chunks go through <see cref="StoreBatchAsync"/>'s pending writes.</summary>
    public Task SavePendingChunkAsync(AttachmentKey key, ChunkHeader header, byte[] content, CancellationToken ct) =>
        throw new NotSupportedException("the SQLite store is one instance's own: pending chunks go into the group commit (RecordCommitter.Pending)");

    private static async Task SavePendingChunkAsync(SqliteConnection connection, SqliteTransaction transaction, AttachmentKey key, ChunkHeader header, byte[] content, CancellationToken ct)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """
            INSERT OR REPLACE INTO pending_chunks
                (site_id, kiosk_id, record_id, attachment_id, chunk_index, chunk_count, chunk_offset, length, sha256, chunk_sha256, content)
            VALUES ($site, $kiosk, $record, $attachment, $index, $count, $offset, $length, $sha, $chunkSha, $content)
            """;
        insert.Parameters.AddWithValue("$site", key.SiteId);
        insert.Parameters.AddWithValue("$kiosk", key.KioskId);
        insert.Parameters.AddWithValue("$record", key.RecordId);
        insert.Parameters.AddWithValue("$attachment", key.AttachmentId);
        insert.Parameters.AddWithValue("$index", header.Index);
        insert.Parameters.AddWithValue("$count", header.Count);
        insert.Parameters.AddWithValue("$offset", header.Offset);
        insert.Parameters.AddWithValue("$length", header.Length);
        insert.Parameters.AddWithValue("$sha", header.Sha256);
        insert.Parameters.AddWithValue("$chunkSha", header.ChunkSha256);
        insert.Parameters.Add("$content", SqliteType.Blob).Value = content;
        await insert.ExecuteNonQueryAsync(ct);
    }

    public Task DeletePendingAsync(RecordKey record, string? attachmentId, CancellationToken ct) => Serialized(() => DeletePendingCoreAsync(record, attachmentId, ct), ct);

    /// <summary>Deletes the pending chunks of one attachment, or of every attachment of the record when <paramref name="attachmentId"/> is null.</summary>
    private async Task DeletePendingCoreAsync(RecordKey record, string? attachmentId, CancellationToken ct)
    {
        await using var connection = Connect();
        await DeletePendingAsync(connection, null, record, attachmentId, ct);
    }

    public Task<int> DeleteSettledPendingAsync(CancellationToken ct) => Serialized(async () =>
    {
        await using var connection = Connect();
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM pending_chunks WHERE record_id IN (SELECT record_id FROM records)";
        return await delete.ExecuteNonQueryAsync(ct);
    }, ct);

    /// <summary>Every pending chunk, in site, kiosk, record, attachment and index order.</summary>
    public async Task<IReadOnlyList<PendingChunk>> ReadPendingChunksAsync(CancellationToken ct)
    {
        await using var connection = Connect();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT site_id, kiosk_id, record_id, attachment_id, chunk_index, chunk_count, chunk_offset, length, sha256, chunk_sha256, content
            FROM pending_chunks ORDER BY site_id, kiosk_id, record_id, attachment_id, chunk_index
            """;
        var chunks = new List<PendingChunk>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            chunks.Add(new PendingChunk(
                new AttachmentKey(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)),
                new ChunkHeader(reader.GetInt32(4), reader.GetInt32(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetString(8), reader.GetString(9)),
                (byte[])reader.GetValue(10)));
        }

        return chunks;
    }

    private static async Task DeletePendingAsync(SqliteConnection connection, SqliteTransaction? transaction, RecordKey record, string? attachmentId, CancellationToken ct)
    {
        await using var delete = connection.CreateCommand();
        delete.Transaction = transaction;
        delete.CommandText = """
            DELETE FROM pending_chunks WHERE site_id = $site AND kiosk_id = $kiosk AND record_id = $record
                AND ($attachment IS NULL OR attachment_id = $attachment)
            """;
        delete.Parameters.AddWithValue("$site", record.SiteId);
        delete.Parameters.AddWithValue("$kiosk", record.KioskId);
        delete.Parameters.AddWithValue("$record", record.RecordId);
        delete.Parameters.AddWithValue("$attachment", (object?)attachmentId ?? DBNull.Value);
        await delete.ExecuteNonQueryAsync(ct);
    }
}
