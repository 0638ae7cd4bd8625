using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Kiosk.Devices.SignaturePad;

/// <summary>
/// A minimal PNG writer (ISO/IEC 15948): 8-bit greyscale, not interlaced, filter type 0 on every
/// scanline, one IDAT chunk compressed with zlib. Enough for a rendered signature.
/// </summary>
internal static class GrayscalePng
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height)
    {
        if (width <= 0 || height <= 0 || pixels.Length != width * height)
        {
            throw new ArgumentException($"{pixels.Length} pixels do not make a {width}x{height} image.", nameof(pixels));
        }

        using var output = new MemoryStream();
        output.Write(Signature);

        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bit depth
        header[9] = 0; // colour type 0: greyscale
        header[10] = 0; // compression method 0: deflate
        header[11] = 0; // filter method 0
        header[12] = 0; // no interlace
        WriteChunk(output, "IHDR", header);

        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (var y = 0; y < height; y++)
                {
                    zlib.WriteByte(0); // filter type None
                    zlib.Write(pixels.Slice(y * width, width));
                }
            }

            WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }

        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> field = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(field, data.Length);
        output.Write(field);
        Span<byte> typeBytes = stackalloc byte[4];
        Encoding.ASCII.GetBytes(type, typeBytes);
        output.Write(typeBytes);
        output.Write(data);
        // The CRC covers the chunk type and data, not the length.
        var crc = Crc32.Append(Crc32.Append(0xFFFFFFFF, typeBytes), data) ^ 0xFFFFFFFF;
        BinaryPrimitives.WriteUInt32BigEndian(field, crc);
        output.Write(field);
    }
}
