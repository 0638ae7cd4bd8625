using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Kiosk.Drivers.Input.Tests.SignaturePad;

/// <summary>Reads a PNG the way a viewer would (ISO/IEC 15948): signature, chunk CRCs, IHDR, inflated pixels.</summary>
internal static class PngChecks
{
    public static (int Width, int Height, byte[] Pixels) DecodeGrey(byte[] png)
    {
        Assert.That(png.AsSpan(0, 8).SequenceEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), Is.True, "PNG signature");
        int at = 8, width = 0, height = 0;
        var chunks = new List<string>();
        using var idat = new MemoryStream();
        while (at < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            var type = Encoding.ASCII.GetString(png, at + 4, 4);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + length));
            Assert.That(crc, Is.EqualTo(Crc(png.AsSpan(at + 4, 4 + length))), $"CRC of {type}");
            var data = png.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.That(data[8..13].ToArray(), Is.EqualTo(new byte[] { 8, 0, 0, 0, 0 }), "8-bit greyscale, deflate, no interlace");
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            chunks.Add(type);
            at += 12 + length;
        }

        Assert.That(chunks[0], Is.EqualTo("IHDR"));
        Assert.That(chunks[^1], Is.EqualTo("IEND"));
        idat.Position = 0;
        using var inflate = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflate.CopyTo(raw);
        var scanlines = raw.ToArray();
        Assert.That(scanlines, Has.Length.EqualTo((width + 1) * height));
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            Assert.That(scanlines[y * (width + 1)], Is.Zero, "filter type");
            Array.Copy(scanlines, (y * (width + 1)) + 1, pixels, y * width, width);
        }

        return (width, height, pixels);
    }

    /// <summary>CRC-32 bit by bit, independent of the driver's table.</summary>
    private static uint Crc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
