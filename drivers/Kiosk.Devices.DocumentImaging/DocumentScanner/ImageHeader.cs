using System.Buffers.Binary;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>The size a PNG or JPEG file announces in its header, read without decoding it.</summary>
internal static class ImageHeader
{
    /// <summary>Width and height from a PNG's IHDR (ISO/IEC 15948 section 11.2.2) or a JPEG's SOFn frame header (ITU T.81 B.2.2).</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> data, out string contentType, out int width, out int height)
    {
        if (GrayscalePng.TryReadSize(data, out width, out height))
        {
            contentType = "image/png";
            return true;
        }

        contentType = "image/jpeg";
        return TryReadJpegSize(data, out width, out height);
    }

    /// <summary>
    /// True when every PNG chunk (ISO/IEC 15948 section 5.3: length, type, data, CRC) lies inside the file, up to IEND.
    /// A chunk that announces more bytes than the file holds makes decoders allocate what it announces: 112 bytes
    /// whose IDAT claims 2.9 GB cost OpenCV 15 s and gigabytes (found by fuzz/ target "scanned-file").
    /// </summary>
    public static bool PngChunksFit(ReadOnlySpan<byte> png)
    {
        var at = 8L;
        while (at + 12 <= png.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[(int)at..]);
            var end = at + 12 + length;
            if (end > png.Length)
            {
                return false;
            }

            if (png.Slice((int)at + 4, 4).SequenceEqual("IEND"u8))
            {
                return true;
            }

            at = end;
        }

        return false;
    }

    private static bool TryReadJpegSize(ReadOnlySpan<byte> data, out int width, out int height)
    {
        width = height = 0;
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            return false;
        }

        var at = 2;
        while (at + 4 <= data.Length)
        {
            if (data[at] != 0xFF)
            {
                return false;
            }

            var marker = data[at + 1];
            if (marker == 0xFF)
            {
                at++; // fill byte (T.81 B.1.1.2)
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                at += 2; // TEM and RSTn carry no length
                continue;
            }

            if (marker is 0xD9 or 0xDA)
            {
                return false; // end of image or start of scan before any frame header
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 2)..]);
            if (length < 2)
            {
                return false;
            }

            // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), which share the range.
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (length < 7 || at + 9 > data.Length)
                {
                    return false;
                }

                height = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 5)..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 7)..]);
                return width > 0 && height > 0; // a height of 0 is given later by DNL: not accepted
            }

            at += 2 + length;
        }

        return false;
    }
}
