using System.Buffers.Binary;
using System.IO.Compression;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Formats;

/// <summary>
/// A test-side PNG checker written from the PNG specification (ISO/IEC 15948), independent of the
/// simulator's encoder: signature, chunk CRCs, IHDR, and that the inflated IDAT data has exactly one
/// filter byte plus one row of samples per scanline (non-interlaced images).
/// </summary>
internal sealed record PngFile(int Width, int Height, int BitDepth, int ColourType, byte[] Scanlines)
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public int Channels => ColourType switch
    {
        0 => 1,
        2 => 3,
        3 => 1,
        4 => 2,
        6 => 4,
        _ => throw new InvalidDataException($"colour type {ColourType}"),
    };

    public int Stride => 1 + (Width * Channels * BitDepth / 8);

    /// <summary>Decodes the chunk structure, failing the test on anything malformed.</summary>
    public static PngFile Decode(ReadOnlySpan<byte> png)
    {
        Assert.That(png[..8].SequenceEqual(Signature), Is.True, "PNG signature");
        var at = 8;
        int width = 0, height = 0, depth = 0, colour = 0, interlace = 0;
        using var idat = new MemoryStream();
        var sawEnd = false;
        while (at < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png[at..]);
            var type = System.Text.Encoding.ASCII.GetString(png.Slice(at + 4, 4));
            var data = png.Slice(at + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png[(at + 8 + length)..]);
            Assert.That(crc, Is.EqualTo(TestCrc32.Compute(png.Slice(at + 4, 4 + length))), $"CRC of {type}");
            switch (type)
            {
                case "IHDR":
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    depth = data[8];
                    colour = data[9];
                    interlace = data[12];
                    break;
                case "IDAT":
                    idat.Write(data);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
            }

            at += 12 + length;
        }

        Assert.That(sawEnd, Is.True, "IEND");
        Assert.That(interlace, Is.Zero, "this checker reads non-interlaced images only");
        idat.Position = 0;
        using var inflater = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflater.CopyTo(raw);
        var file = new PngFile(width, height, depth, colour, raw.ToArray());
        Assert.That(file.Scanlines, Has.Length.EqualTo(file.Stride * height), "inflated size of the IDAT data");
        return file;
    }

    /// <summary>The pixels of an 8-bit greyscale image written with filter type 0 (as the simulators write them).</summary>
    public byte[] GreyPixels()
    {
        Assert.That((ColourType, BitDepth), Is.EqualTo((0, 8)));
        var pixels = new byte[Width * Height];
        for (var y = 0; y < Height; y++)
        {
            Assert.That(Scanlines[y * Stride], Is.Zero, "filter type");
            Array.Copy(Scanlines, (y * Stride) + 1, pixels, y * Width, Width);
        }

        return pixels;
    }
}
