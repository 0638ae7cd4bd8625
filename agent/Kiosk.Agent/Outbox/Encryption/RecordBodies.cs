using System.Security.Cryptography;
using System.Text;

namespace Kiosk.Agent.Outbox.Encryption;

/// <summary>
/// A record's JSON body as it is kept at rest: sealed with the outbox key (AES-256-GCM, the same segments as
/// attachments, bound to the record id), because bodies carry the person's name, ID number, birth date and report
/// answers. The hash of the stored bytes lets salvage check a sealed body without the key.
/// Thread safety: stateless.
/// </summary>
internal static class RecordBodies
{
    /// <summary>The value for the <c>body</c> column: sealed bytes (a BLOB) with a key, the JSON text without one.</summary>
    public static (object Value, bool Sealed, string Sha256) Store(string json, string recordId, AttachmentCipher? cipher)
    {
        var plain = Encoding.UTF8.GetBytes(json);
        if (cipher is null)
        {
            return (json, false, Convert.ToHexStringLower(SHA256.HashData(plain)));
        }

        var stored = new byte[AttachmentCipher.StoredLength(plain.Length)];
        var segmentStored = AttachmentCipher.SegmentBytes + 28;
        for (long segment = 0, offset = 0; offset < plain.Length; segment++, offset += AttachmentCipher.SegmentBytes)
        {
            var take = (int)Math.Min(AttachmentCipher.SegmentBytes, plain.Length - offset);
            cipher.Seal(plain.AsSpan((int)offset, take), segment, Context(recordId), stored.AsSpan((int)(segment * segmentStored), take + 28));
        }

        CryptographicOperations.ZeroMemory(plain);
        return (stored, true, Convert.ToHexStringLower(SHA256.HashData(stored)));
    }

    /// <summary>The JSON body of a stored record. Throws <see cref="AuthenticationTagMismatchException"/> when sealed bytes were altered.</summary>
    public static byte[] Open(OutboxBody body, string recordId, AttachmentCipher? cipher)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!body.Sealed || body.Stored.IsEmpty)
        {
            return body.Stored.ToArray();
        }

        var plainLength = PlainLength(body.Stored.Length);
        using var stored = new MemoryStream(body.Stored.ToArray(), writable: false);
        return (cipher ?? throw new InvalidOperationException("a sealed record body needs the outbox key (Kiosk:Outbox:KeyFile)"))
            .Read(stored, plainLength, 0, (int)plainLength, Context(recordId));
    }

    /// <summary>Plaintext length of a sealed body of <paramref name="storedLength"/> bytes (each 64 KiB segment adds 28).</summary>
    private static long PlainLength(long storedLength)
    {
        var segments = Math.Max(1, (storedLength + AttachmentCipher.SegmentBytes + 27) / (AttachmentCipher.SegmentBytes + 28));
        var plain = storedLength - (segments * 28);
        return plain < 0 ? throw new InvalidDataException($"a sealed record body of {storedLength} bytes is too short") : plain;
    }

    private static byte[] Context(string recordId) => Encoding.ASCII.GetBytes($"kiosk-outbox/record/{recordId}");
}
