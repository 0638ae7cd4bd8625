using System.Security.Cryptography;
using System.Text;
using Kiosk.Agent.Outbox.Encryption;
using Microsoft.Data.Sqlite;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Moves attachment bytes between a caller's stream and the outbox's BLOBs without holding a whole attachment
/// in memory; attachments are sealed with <see cref="AttachmentCipher"/> on the way in and opened
/// on the way out. Not thread-safe: callers hold the outbox's connection lock.
/// </summary>
internal static class AttachmentStreams
{
    private const int CopyBufferBytes = 81920;

    /// <summary>The BLOB size to reserve (zeroblob) for an attachment.</summary>
    public static long StoredLength(NewAttachment attachment, AttachmentCipher? cipher) =>
        Seals(attachment, cipher) ? AttachmentCipher.StoredLength(attachment.Length) : attachment.Length;

    /// <summary>Every attachment is sealed when there is a key: biometrics, and document scans that carry personal data too.</summary>
    public static bool Seals(NewAttachment attachment, AttachmentCipher? cipher) => cipher is not null;

    /// <summary>Copies the content into the reserved BLOB; returns the SHA-256 of the plaintext (what the platform checks) and of the stored bytes (what salvage checks).</summary>
    public static (string Sha256, string StoredSha256) Write(SqliteConnection connection, long rowId, NewAttachment attachment, AttachmentCipher? cipher)
    {
        using var plainHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var storedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var blob = new SqliteBlob(connection, "attachments", "data", rowId);
        using var source = attachment.OpenContent();
        var seal = Seals(attachment, cipher);
        var buffer = new byte[seal ? AttachmentCipher.SegmentBytes : CopyBufferBytes];
        var sealedBuffer = seal ? new byte[AttachmentCipher.SegmentBytes + 28] : [];
        long written = 0;
        long segment = 0;
        int read;
        while ((read = seal ? source.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) : source.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (written + read > attachment.Length)
            {
                throw new InvalidDataException($"attachment '{attachment.AttachmentId}' is longer than its declared {attachment.Length} bytes");
            }

            plainHash.AppendData(buffer, 0, read);
            if (seal)
            {
                var sealedSpan = sealedBuffer.AsSpan(0, read + 28);
                cipher!.Seal(buffer.AsSpan(0, read), segment++, Context(rowId), sealedSpan);
                blob.Write(sealedSpan);
                storedHash.AppendData(sealedSpan);
            }
            else
            {
                blob.Write(buffer, 0, read);
                storedHash.AppendData(buffer, 0, read);
            }

            written += read;
        }

        CryptographicOperations.ZeroMemory(buffer);
        if (written != attachment.Length)
        {
            throw new InvalidDataException($"attachment '{attachment.AttachmentId}' gave {written} bytes, {attachment.Length} declared");
        }

        return (Convert.ToHexStringLower(plainHash.GetHashAndReset()), Convert.ToHexStringLower(storedHash.GetHashAndReset()));
    }

    /// <summary>Reads plaintext [offset, offset + count) of a stored attachment.</summary>
    public static byte[] Read(SqliteConnection connection, OutboxAttachment attachment, long offset, int count, AttachmentCipher? cipher)
    {
        using var blob = new SqliteBlob(connection, "attachments", "data", attachment.RowId, readOnly: true);
        if (attachment.Sealed)
        {
            return (cipher ?? throw new InvalidOperationException("a sealed attachment needs the outbox key (Kiosk:Outbox:KeyFile)"))
                .Read(blob, attachment.Length, offset, count, Context(attachment.RowId));
        }

        var length = (int)Math.Max(0, Math.Min(count, blob.Length - offset));
        var buffer = new byte[length];
        blob.Position = offset;
        blob.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Associated data of every segment: the attachment's row id, which salvage keeps.</summary>
    private static byte[] Context(long rowId) => Encoding.ASCII.GetBytes($"kiosk-outbox/attachment/{rowId}");
}
