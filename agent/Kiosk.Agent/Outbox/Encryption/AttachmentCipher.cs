using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Kiosk.Agent.Outbox.Encryption;

/// <summary>
/// AES-256-GCM for attachments and record bodies at rest. The plaintext is cut into 64 KiB segments, each sealed
/// on its own (random 96-bit nonce, 128-bit tag), so a chunk can be read without decrypting the whole
/// attachment. Each segment's associated data binds it to its attachment and position, so segments cannot
/// be swapped or moved between attachments. Stored layout per segment: nonce (12) | ciphertext | tag (16).
/// Thread safety: instances are immutable; each call creates its own <see cref="AesGcm"/>.
/// </summary>
internal sealed class AttachmentCipher
{
    public const int SegmentBytes = 64 * 1024;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int Overhead = NonceBytes + TagBytes;
    private readonly byte[] _key;

    public AttachmentCipher(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException("an AES-256 key is 32 bytes", nameof(key));
        }

        _key = key;
    }

    /// <summary>Bytes stored for <paramref name="plainLength"/> bytes of plaintext.</summary>
    public static long StoredLength(long plainLength) => plainLength + (SegmentCount(plainLength) * Overhead);

    private static long SegmentCount(long plainLength) => (plainLength + SegmentBytes - 1) / SegmentBytes;

    /// <summary>Seals one segment; <paramref name="output"/> must be <c>plain.Length + 28</c> bytes.</summary>
    public void Seal(ReadOnlySpan<byte> plain, long segmentIndex, ReadOnlySpan<byte> context, Span<byte> output)
    {
        using var aes = new AesGcm(_key, TagBytes);
        var nonce = output[..NonceBytes];
        RandomNumberGenerator.Fill(nonce);
        aes.Encrypt(nonce, plain, output.Slice(NonceBytes, plain.Length), output.Slice(NonceBytes + plain.Length, TagBytes), AssociatedData(context, segmentIndex));
    }

    /// <summary>
    /// Reads plaintext bytes [<paramref name="offset"/>, offset + <paramref name="count"/>) of an attachment whose sealed
    /// form is in <paramref name="stored"/>. Throws <see cref="AuthenticationTagMismatchException"/> when a segment was altered.
    /// </summary>
    public byte[] Read(Stream stored, long plainLength, long offset, int count, ReadOnlySpan<byte> context)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var length = (int)Math.Max(0, Math.Min(count, plainLength - offset));
        var result = new byte[length];
        using var aes = new AesGcm(_key, TagBytes);
        var sealedSegment = new byte[SegmentBytes + Overhead];
        var plainSegment = new byte[SegmentBytes];
        var written = 0;
        while (written < length)
        {
            var position = offset + written;
            var segment = position / SegmentBytes;
            var segmentPlain = (int)Math.Min(SegmentBytes, plainLength - (segment * SegmentBytes));
            stored.Position = segment * (SegmentBytes + Overhead);
            stored.ReadExactly(sealedSegment, 0, segmentPlain + Overhead);
            aes.Decrypt(
                sealedSegment.AsSpan(0, NonceBytes),
                sealedSegment.AsSpan(NonceBytes, segmentPlain),
                sealedSegment.AsSpan(NonceBytes + segmentPlain, TagBytes),
                plainSegment.AsSpan(0, segmentPlain),
                AssociatedData(context, segment));
            var within = (int)(position - (segment * SegmentBytes));
            var take = Math.Min(segmentPlain - within, length - written);
            plainSegment.AsSpan(within, take).CopyTo(result.AsSpan(written));
            written += take;
        }

        CryptographicOperations.ZeroMemory(plainSegment);
        return result;
    }

    private static byte[] AssociatedData(ReadOnlySpan<byte> context, long segmentIndex)
    {
        var data = new byte[context.Length + sizeof(long)];
        context.CopyTo(data);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(context.Length), segmentIndex);
        return data;
    }
}
