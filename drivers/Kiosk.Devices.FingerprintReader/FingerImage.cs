namespace Kiosk.Devices.FingerprintReader;

/// <summary>The R30x image buffer: 256 x 288 pixels, uploaded at 4 bits per pixel, two pixels a byte, high nibble first.</summary>
internal static class FingerImage
{
    public const int Width = 256;
    public const int Height = 288;
    public const int PackedLength = Width * Height / 2;

    /// <summary>Side of the square blocks the quality is measured on (about 0.8 mm at 500 dpi: two ridges).</summary>
    private const int Block = 16;

    /// <summary>Grey spread (standard deviation, 0..255 scale) above which a block holds ridges rather than background.</summary>
    private const double RidgeSpread = 24;

    /// <summary>Spread of a well pressed finger; contrast above it counts as full.</summary>
    private const double GoodSpread = 48;

    /// <summary>Expands 4-bit pixels to 8 bits (v * 17 maps 0..15 onto 0..255).</summary>
    public static byte[] Unpack(ReadOnlySpan<byte> packed)
    {
        if (packed.Length != PackedLength)
        {
            throw new ArgumentException($"expected {PackedLength} bytes of image, got {packed.Length}", nameof(packed));
        }

        var pixels = new byte[Width * Height];
        for (var i = 0; i < packed.Length; i++)
        {
            pixels[2 * i] = (byte)((packed[i] >> 4) * 17);
            pixels[(2 * i) + 1] = (byte)((packed[i] & 0x0F) * 17);
        }

        return pixels;
    }

    /// <summary>
    /// A simple quality 0..100: the share of blocks that hold ridges (coverage) times their mean contrast
    /// relative to a well pressed finger. Not NFIQ; good enough to ask for another press.
    /// </summary>
    public static int Quality(ReadOnlySpan<byte> pixels, int width, int height)
    {
        int blocks = 0, ridgeBlocks = 0;
        double spreadSum = 0;
        for (var by = 0; by + Block <= height; by += Block)
        {
            for (var bx = 0; bx + Block <= width; bx += Block)
            {
                double sum = 0, squares = 0;
                for (var y = by; y < by + Block; y++)
                {
                    for (var x = bx; x < bx + Block; x++)
                    {
                        double v = pixels[(y * width) + x];
                        sum += v;
                        squares += v * v;
                    }
                }

                const int n = Block * Block;
                var spread = Math.Sqrt(Math.Max(0, (squares / n) - ((sum / n) * (sum / n))));
                blocks++;
                if (spread >= RidgeSpread)
                {
                    ridgeBlocks++;
                    spreadSum += spread;
                }
            }
        }

        if (blocks == 0 || ridgeBlocks == 0)
        {
            return 0;
        }

        var coverage = (double)ridgeBlocks / blocks;
        var contrast = Math.Min(1, spreadSum / ridgeBlocks / GoodSpread);
        return (int)Math.Round(100 * coverage * contrast);
    }
}
