using System.Buffers.Binary;

namespace Kiosk.Devices.FingerprintReader;

/// <summary>
/// Wraps one finger image as an ISO/IEC 19794-4:2005 finger image record: a 36-byte general header and one
/// finger record (14-byte header and the image data).
/// </summary>
public static class FingerImageRecord
{
    /// <summary>General record header length (ISO/IEC 19794-4:2005 §8.2).</summary>
    public const int GeneralHeaderLength = 36;

    /// <summary>Finger image header length (ISO/IEC 19794-4:2005 §8.3).</summary>
    public const int FingerHeaderLength = 14;

    /// <summary>Image acquisition setting level 31 (500 ppi, 256 grey levels; ISO/IEC 19794-4 table 1).</summary>
    public const int AcquisitionLevel500Ppi = 31;

    /// <summary>Scale units 1: resolutions are in pixels per inch (2 would be per centimetre).</summary>
    private const byte PixelsPerInch = 1;

    /// <summary>Impression type 0: live-scan plain (ANSI/NIST-ITL table of impression types).</summary>
    private const byte LiveScanPlain = 0;

    /// <param name="image">Image data: raw 8-bit rows for the uncompressed codes, the encoded file otherwise (PNG, WSQ...).</param>
    /// <param name="compression">How <paramref name="image"/> is encoded.</param>
    /// <param name="width">Horizontal line length in pixels.</param>
    /// <param name="height">Vertical line length in pixels.</param>
    /// <param name="pixelsPerInch">Scan and image resolution.</param>
    /// <param name="finger">Finger position code (ISO/IEC 19794-4 table 2, same numbering as <see cref="FingerPosition"/>).</param>
    /// <param name="quality">0..100, or 255 when not computed.</param>
    public static byte[] Wrap(ReadOnlySpan<byte> image, FingerImageCompression compression, int width, int height, int pixelsPerInch, FingerPosition finger, int quality)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixelsPerInch);
        if (quality is < 0 or > 100 and not 255)
        {
            throw new ArgumentOutOfRangeException(nameof(quality), quality, "0..100, or 255 for not computed");
        }

        var fingerLength = FingerHeaderLength + image.Length;
        var record = new byte[GeneralHeaderLength + fingerLength];
        var span = record.AsSpan();
        "FIR\0"u8.CopyTo(span);
        "010\0"u8.CopyTo(span[4..]);
        WriteUInt48(span[8..], (ulong)record.Length);
        // 14..17 CBEFF product identifier (owner, type) and 18..19 capture device id: 0 = not reported.
        BinaryPrimitives.WriteUInt16BigEndian(span[20..], AcquisitionLevel500Ppi);
        span[22] = 1; // number of fingers
        span[23] = PixelsPerInch;
        BinaryPrimitives.WriteUInt16BigEndian(span[24..], (ushort)pixelsPerInch); // scan resolution, horizontal
        BinaryPrimitives.WriteUInt16BigEndian(span[26..], (ushort)pixelsPerInch); // vertical
        BinaryPrimitives.WriteUInt16BigEndian(span[28..], (ushort)pixelsPerInch); // image resolution, horizontal
        BinaryPrimitives.WriteUInt16BigEndian(span[30..], (ushort)pixelsPerInch); // vertical
        span[32] = 8; // pixel depth in bits
        span[33] = (byte)compression;
        // 34..35 reserved

        var finger0 = span[GeneralHeaderLength..];
        BinaryPrimitives.WriteUInt32BigEndian(finger0, (uint)fingerLength);
        finger0[4] = (byte)finger;
        finger0[5] = 1; // count of views
        finger0[6] = 1; // view number
        finger0[7] = (byte)quality;
        finger0[8] = LiveScanPlain;
        BinaryPrimitives.WriteUInt16BigEndian(finger0[9..], (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(finger0[11..], (ushort)height);
        // 13 reserved
        image.CopyTo(finger0[FingerHeaderLength..]);
        return record;
    }

    private static void WriteUInt48(Span<byte> destination, ulong value)
    {
        for (var i = 0; i < 6; i++)
        {
            destination[i] = (byte)(value >> (8 * (5 - i)));
        }
    }
}
