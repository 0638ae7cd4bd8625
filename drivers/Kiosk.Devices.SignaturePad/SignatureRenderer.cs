namespace Kiosk.Devices.SignaturePad;

/// <summary>
/// Draws a signature for people to look at: the whole pad area scaled to a fixed width, black
/// lines two pixels wide between consecutive pen-down samples on white. The samples stay the evidence.
/// </summary>
internal static class SignatureRenderer
{
    public static CapturedImage Render(IReadOnlyList<PenSample> samples, int padWidth, int padHeight, int imageWidth)
    {
        var scale = imageWidth / (double)padWidth;
        var imageHeight = Math.Max(1, (int)Math.Round(padHeight * scale));
        var pixels = new byte[imageWidth * imageHeight];
        Array.Fill(pixels, (byte)255);
        for (var i = 0; i < samples.Count; i++)
        {
            var b = samples[i];
            if (!b.PenDown)
            {
                continue;
            }

            // A lone dot (a touch without movement) is drawn as a line to itself.
            var a = i > 0 && samples[i - 1].PenDown ? samples[i - 1] : b;
            Line(pixels, imageWidth, imageHeight, a.X * scale, a.Y * scale, b.X * scale, b.Y * scale);
        }

        return new CapturedImage(GrayscalePng.Encode(pixels, imageWidth, imageHeight), "image/png", imageWidth, imageHeight);
    }

    private static void Line(byte[] pixels, int width, int height, double x0, double y0, double x1, double y1)
    {
        var steps = (int)Math.Ceiling(Math.Max(Math.Abs(x1 - x0), Math.Abs(y1 - y0))) + 1;
        for (var s = 0; s <= steps; s++)
        {
            var u = s / (double)steps;
            var x = (int)(x0 + ((x1 - x0) * u));
            var y = (int)(y0 + ((y1 - y0) * u));
            for (var dy = 0; dy < 2; dy++)
            {
                for (var dx = 0; dx < 2; dx++)
                {
                    var px = x + dx;
                    var py = y + dy;
                    if (px >= 0 && px < width && py >= 0 && py < height)
                    {
                        pixels[(py * width) + px] = 0;
                    }
                }
            }
        }
    }
}
