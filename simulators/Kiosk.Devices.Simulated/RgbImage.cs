using System.Buffers.Binary;
using System.IO.Compression;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// An 8-bit RGB picture in memory, just enough for the simulated camera's preview frames without an imaging library:
/// decode a plain PNG (ISO/IEC 15948: bit depth 8, grey, grey+alpha, RGB or RGBA, not interlaced, at most 4096 px a side), shrink it by an
/// integer factor (box average), paste it on a plain background, and encode it again as an RGB PNG.
/// </summary>
internal sealed class RgbImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private RgbImage(int width, int height, byte[] pixels)
    {
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>R, G, B per pixel, row after row.</summary>
    public byte[] Pixels { get; }

    /// <summary>A picture of one colour (a wall with nobody in front of it).</summary>
    public static RgbImage Filled(int width, int height, byte red, byte green, byte blue)
    {
        var pixels = new byte[width * height * 3];
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = red;
            pixels[i + 1] = green;
            pixels[i + 2] = blue;
        }

        return new RgbImage(width, height, pixels);
    }

    /// <summary>The picture of a plain PNG, or null for anything else (other bit depths, palettes, interlacing, damage).</summary>
    public static RgbImage? TryDecodePng(ReadOnlySpan<byte> png)
    {
        if (png.Length < 33 || !png[..8].SequenceEqual(Signature))
        {
            return null;
        }

        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (var at = 8; at + 12 <= png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png[at..]);
            if (length < 0 || at + 12 + length > png.Length)
            {
                return null;
            }

            var type = png.Slice(at + 4, 4);
            var data = png.Slice(at + 8, length);
            if (type.SequenceEqual("IHDR"u8) && length >= 13)
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                channels = data[9] switch { 0 => 1, 4 => 2, 2 => 3, 6 => 4, _ => 0 };
                if (data[8] != 8 || data[12] != 0 || channels == 0 || width is <= 0 or > 4096 || height is <= 0 or > 4096)
                {
                    return null;
                }
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                compressed.Write(data);
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                break;
            }

            at += 12 + length;
        }

        if (channels == 0)
        {
            return null;
        }

        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        try
        {
            compressed.Position = 0;
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            zlib.ReadExactly(raw);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            return null;
        }

        return Unfiltered(raw, width, height, channels);
    }

    /// <summary>This picture <paramref name="factor"/> times smaller each way, each pixel the mean of the block it replaces.</summary>
    public RgbImage Shrunk(int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        var width = Math.Max(1, Width / factor);
        var height = Math.Max(1, Height / factor);
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var sum = 0;
                    for (var dy = 0; dy < factor; dy++)
                    {
                        for (var dx = 0; dx < factor; dx++)
                        {
                            sum += Pixels[((((y * factor) + dy) * Width) + (x * factor) + dx) * 3 + c];
                        }
                    }

                    pixels[(((y * width) + x) * 3) + c] = (byte)(sum / (factor * factor));
                }
            }
        }

        return new RgbImage(width, height, pixels);
    }

    /// <summary>A copy of this picture with <paramref name="picture"/> pasted with its top left corner at (x, y), clipped to this one.</summary>
    public RgbImage With(RgbImage picture, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(picture);
        var pixels = (byte[])Pixels.Clone();
        for (var row = Math.Max(0, -y); row < picture.Height && y + row < Height; row++)
        {
            var from = Math.Max(0, -x);
            var count = Math.Min(picture.Width, Width - x) - from;
            if (count > 0)
            {
                Array.Copy(picture.Pixels, ((row * picture.Width) + from) * 3, pixels, (((y + row) * Width) + x + from) * 3, count * 3);
            }
        }

        return new RgbImage(Width, Height, pixels);
    }

    /// <summary>An RGB PNG of this picture (colour type 2, filter 0, one IDAT).</summary>
    public byte[] EncodePng()
    {
        using var output = new MemoryStream();
        output.Write(Signature);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8; // bit depth
        header[9] = 2; // colour type 2: RGB; compression, filter and interlace method 0
        WriteChunk(output, "IHDR"u8, header);
        using (var compressed = new MemoryStream())
        {
            using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                for (var y = 0; y < Height; y++)
                {
                    zlib.WriteByte(0); // filter type None
                    zlib.Write(Pixels, y * Width * 3, Width * 3);
                }
            }

            WriteChunk(output, "IDAT"u8, compressed.ToArray());
        }

        WriteChunk(output, "IEND"u8, []);
        return output.ToArray();
    }

    /// <summary>Undoes the PNG row filters (None, Sub, Up, Average, Paeth) and keeps the colour channels as RGB.</summary>
    private static RgbImage? Unfiltered(byte[] raw, int width, int height, int channels)
    {
        var stride = width * channels;
        var previous = new byte[stride];
        var row = new byte[stride];
        var pixels = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            if (filter > 4)
            {
                return null;
            }

            Array.Copy(raw, (y * (stride + 1)) + 1, row, 0, stride);
            for (var i = 0; i < stride; i++)
            {
                int left = i >= channels ? row[i - channels] : 0;
                int up = previous[i];
                int upLeft = i >= channels ? previous[i - channels] : 0;
                row[i] = filter switch
                {
                    0 => row[i],
                    1 => (byte)(row[i] + left),
                    2 => (byte)(row[i] + up),
                    3 => (byte)(row[i] + ((left + up) / 2)),
                    _ => (byte)(row[i] + Paeth(left, up, upLeft)),
                };
            }

            for (var x = 0; x < width; x++)
            {
                var at = ((y * width) + x) * 3;
                var from = x * channels;
                // Grey (with or without alpha) fills all three channels; alpha is dropped.
                pixels[at] = row[from];
                pixels[at + 1] = channels >= 3 ? row[from + 1] : row[from];
                pixels[at + 2] = channels >= 3 ? row[from + 2] : row[from];
            }

            (previous, row) = (row, previous);
        }

        return new RgbImage(width, height, pixels);
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        var pa = Math.Abs(p - a);
        var pb = Math.Abs(p - b);
        var pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, GrayscalePng.Crc32(data, GrayscalePng.Crc32(type)) ^ 0xFFFFFFFF);
        output.Write(word);
    }
}
