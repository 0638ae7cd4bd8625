using System.Buffers.Binary;
using System.IO.Compression;

namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

/// <summary>Reads back what a greyscale PNG of ours holds: size from IHDR, pixels from the single IDAT (filter 0 rows).</summary>
internal static class PngProbe
{
    public static (int Width, int Height, byte[] Pixels) Read(ReadOnlySpan<byte> png)
    {
        Assert.That(png[..8].ToArray(), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        var width = BinaryPrimitives.ReadInt32BigEndian(png[16..]);
        var height = BinaryPrimitives.ReadInt32BigEndian(png[20..]);
        var idatLength = BinaryPrimitives.ReadInt32BigEndian(png[33..]);
        Assert.That(System.Text.Encoding.ASCII.GetString(png.Slice(37, 4)), Is.EqualTo("IDAT"));
        using var zlib = new ZLibStream(new MemoryStream(png.Slice(41, idatLength).ToArray()), CompressionMode.Decompress);
        using var rows = new MemoryStream();
        zlib.CopyTo(rows);
        var raw = rows.ToArray();
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            Assert.That(raw[y * (width + 1)], Is.Zero, "filter type None");
            Array.Copy(raw, (y * (width + 1)) + 1, pixels, y * width, width);
        }

        return (width, height, pixels);
    }
}
