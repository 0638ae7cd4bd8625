using System.Buffers.Binary;

namespace Kiosk.Devices;

/// <summary>
/// Writes ISO/IEC 19794-4:2005 finger image records: format "FIR\0", version "010\0", a 32-byte general record header
/// and one finger record (a 14-byte finger image header, then the image). This is the ISO layout; ANSI/INCITS
/// 381-2004, which shares the format identifier and version, has a 36-byte header with a CBEFF product identifier
/// after the record length, and a reader told "ISO" would misread it. All numbers are big-endian (§7.1).
/// </summary>
public static class FingerImageRecord
{
    /// <summary>The attachment content type of a record (no registered media type exists; the record's header says its edition).</summary>
    public const string ContentType = "application/vnd.iso.19794-4";

    /// <summary>General record header length (ISO/IEC 19794-4:2005 §8.2).</summary>
    public const int GeneralHeaderLength = 32;

    /// <summary>Finger image header length (ISO/IEC 19794-4:2005 §8.3).</summary>
    public const int FingerHeaderLength = 14;

    /// <summary>
    /// Image acquisition setting level 30: 500 ppi, 8-bit pixels (table 1). The lowest 500 ppi level, and the one that
    /// claims least about the grey range (80 levels): no level describes a 500 ppi sensor with fewer grey levels.
    /// </summary>
    public const int AcquisitionLevel500Ppi = 30;

    /// <summary>Image acquisition setting levels of table 1 (ISO/IEC 29109-4 accepts these and no others).</summary>
    public static readonly IReadOnlySet<int> AcquisitionLevels = new HashSet<int> { 10, 20, 30, 31, 35, 40, 41 };

    /// <summary>
    /// Finger image quality 254, "not defined". The 2005 edition defines no quality algorithm, and its conformance
    /// test (ISO/IEC 29109-4) accepts only 254 here; a device's own score travels beside the record, not in it.
    /// </summary>
    public const byte QualityNotDefined = 254;

    /// <summary>Impression type 0: live-scan plain (table 3).</summary>
    public const byte LiveScanPlain = 0;

    /// <summary>Scale units 1: resolutions are in pixels per inch (2 would be per centimetre).</summary>
    public const byte PixelsPerInch = 1;

    /// <summary>
    /// The record of a live-scan plain capture delivered as an 8-bit greyscale PNG (compression 5), at the image's own
    /// resolution (<see cref="CapturedImage.Dpi"/>, which must be known).
    /// </summary>
    /// <exception cref="ArgumentException">The image is not a PNG, its size disagrees with its header, or its resolution is unknown.</exception>
    public static byte[] FromPng(CapturedImage image, FingerPosition finger, int acquisitionLevel)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.ContentType != "image/png")
        {
            throw new ArgumentException($"a finger image record wraps PNG images here, not {image.ContentType}", nameof(image));
        }

        if (image.Dpi is not { } dpi)
        {
            throw new ArgumentException("the image's resolution (Dpi) is not known; a finger image record must state it", nameof(image));
        }

        return Write(image.Data.Span, FingerImageCompression.Png, image.Width, image.Height, dpi, finger, acquisitionLevel);
    }

    /// <param name="image">Raw 8-bit rows for <see cref="FingerImageCompression.UncompressedNoBitPacking"/>, the encoded file otherwise (PNG, WSQ...).</param>
    /// <param name="compression">How <paramref name="image"/> is encoded.</param>
    /// <param name="width">Horizontal line length in pixels.</param>
    /// <param name="height">Vertical line length in pixels.</param>
    /// <param name="pixelsPerInch">Scan and image resolution (the image is not resampled).</param>
    /// <param name="finger">Finger position code (table 2; <see cref="FingerPosition"/> uses the same numbers).</param>
    /// <param name="acquisitionLevel">Image acquisition setting level, one of <see cref="AcquisitionLevels"/>.</param>
    /// <exception cref="ArgumentException">A value the record cannot hold, or an image that is not <paramref name="width"/> x <paramref name="height"/>.</exception>
    public static byte[] Write(ReadOnlySpan<byte> image, FingerImageCompression compression, int width, int height, int pixelsPerInch, FingerPosition finger, int acquisitionLevel)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, ushort.MaxValue);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pixelsPerInch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pixelsPerInch, ushort.MaxValue);
        if ((int)finger is < 0 or > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(finger), finger, "finger positions are 0 (unknown) to 10 (left little)");
        }

        if (!AcquisitionLevels.Contains(acquisitionLevel))
        {
            throw new ArgumentOutOfRangeException(nameof(acquisitionLevel), acquisitionLevel, "one of the image acquisition setting levels 10, 20, 30, 31, 35, 40, 41");
        }

        CheckImage(image, compression, width, height);

        var fingerLength = FingerHeaderLength + image.Length;
        var record = new byte[GeneralHeaderLength + fingerLength];
        var span = record.AsSpan();
        "FIR\0"u8.CopyTo(span);
        "010\0"u8.CopyTo(span[4..]);
        WriteUInt48(span[8..], (ulong)record.Length);
        // 14..15 capture device id: 0, not reported (the record names no vendor's product).
        BinaryPrimitives.WriteUInt16BigEndian(span[16..], (ushort)acquisitionLevel);
        span[18] = 1; // number of fingers
        span[19] = PixelsPerInch;
        BinaryPrimitives.WriteUInt16BigEndian(span[20..], (ushort)pixelsPerInch); // scan resolution, horizontal
        BinaryPrimitives.WriteUInt16BigEndian(span[22..], (ushort)pixelsPerInch); // vertical
        BinaryPrimitives.WriteUInt16BigEndian(span[24..], (ushort)pixelsPerInch); // image resolution, horizontal
        BinaryPrimitives.WriteUInt16BigEndian(span[26..], (ushort)pixelsPerInch); // vertical
        span[28] = 8; // pixel depth in bits
        span[29] = (byte)compression;
        // 30..31 reserved, 0

        var fingerRecord = span[GeneralHeaderLength..];
        BinaryPrimitives.WriteUInt32BigEndian(fingerRecord, (uint)fingerLength);
        fingerRecord[4] = (byte)finger;
        fingerRecord[5] = 1; // count of views
        fingerRecord[6] = 1; // view number
        fingerRecord[7] = QualityNotDefined;
        fingerRecord[8] = LiveScanPlain;
        BinaryPrimitives.WriteUInt16BigEndian(fingerRecord[9..], (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(fingerRecord[11..], (ushort)height);
        // 13 reserved, 0
        image.CopyTo(fingerRecord[FingerHeaderLength..]);
        return record;
    }

    private static void CheckImage(ReadOnlySpan<byte> image, FingerImageCompression compression, int width, int height)
    {
        if (compression == FingerImageCompression.UncompressedNoBitPacking)
        {
            if (image.Length != width * height)
            {
                throw new ArgumentException($"{image.Length} bytes are not a {width}x{height} image of 8-bit pixels", nameof(image));
            }

            return;
        }

        if (compression == FingerImageCompression.Png)
        {
            if (!GrayscalePng.TryReadSize(image, out var pngWidth, out var pngHeight))
            {
                throw new ArgumentException("the image is not a PNG (no signature and IHDR)", nameof(image));
            }

            if ((pngWidth, pngHeight) != (width, height))
            {
                throw new ArgumentException($"the PNG is {pngWidth}x{pngHeight}, not the {width}x{height} the record would state", nameof(image));
            }

            return;
        }

        if (image.IsEmpty)
        {
            throw new ArgumentException("no image data", nameof(image));
        }
    }

    private static void WriteUInt48(Span<byte> destination, ulong value)
    {
        for (var i = 0; i < 6; i++)
        {
            destination[i] = (byte)(value >> (8 * (5 - i)));
        }
    }
}
