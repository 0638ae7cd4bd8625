namespace Kiosk.Devices.Simulated;

/// <summary>
/// A deterministic synthetic fingerprint: a loop-like ridge pattern (ridge period about 9 pixels, as
/// at 500 dpi) inside an elliptical fingertip, with minutiae placed on it, the image as an ISO/IEC 19794-4 record and
/// the minutiae as an ISO/IEC 19794-2 record.
/// It only has to look like a fingerprint and carry consistent data; no matcher would accept it.
/// </summary>
internal static class SyntheticFingerprint
{
    public const int Width = 256;
    public const int Height = 288;
    public const int Dpi = 500;

    public static FingerprintCapture Create(int seed, FingerPosition finger)
    {
        var random = new SeededRandom(seed, "fingerprint/" + (int)finger);
        var coreX = Width * random.Between(0.42, 0.58);
        var coreY = Height * random.Between(0.38, 0.5);
        var period = random.Between(8.5, 9.8);
        var wobble = random.Between(2.0, 4.0);
        var wobbleFrequency = random.Between(0.02, 0.04);
        var loopiness = random.Between(0.8, 1.6);

        var pixels = new byte[Width * Height];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                if (!InsideFingertip(x, y))
                {
                    pixels[(y * Width) + x] = 255;
                    continue;
                }

                var dx = x - coreX;
                var dy = (y - coreY) * 1.25;
                // Distance from the core plus an angular term bends the circles into a loop; the
                // sine wobble keeps ridges from looking drawn with a compass.
                var r = Math.Sqrt((dx * dx) + (dy * dy)) + (loopiness * 6 * Math.Atan2(dy, dx)) + (wobble * Math.Sin(wobbleFrequency * (x + (2 * y))));
                var ridge = Math.Cos(2 * Math.PI * r / period);
                var edgeFade = Math.Min(1.0, EdgeDistance(x, y) * 4);
                pixels[(y * Width) + x] = (byte)Math.Clamp(255 - (edgeFade * (110 + (100 * ridge))), 0, 255);
            }
        }

        var count = random.Next(10, 31);
        var minutiae = new List<Minutia>(count);
        while (minutiae.Count < count)
        {
            var x = random.Next(24, Width - 24);
            var y = random.Next(24, Height - 24);
            if (EdgeDistance(x, y) < 0.15)
            {
                continue;
            }

            var type = random.NextDouble() < 0.6 ? MinutiaType.RidgeEnding : MinutiaType.Bifurcation;
            minutiae.Add(new Minutia(type, x, y, (byte)random.Next(0, 256), (byte)random.Next(40, 101)));
        }

        var quality = random.Next(40, 91);
        var image = new CapturedImage(GrayscalePng.Encode(pixels, Width, Height), "image/png", Width, Height) { Dpi = Dpi };
        var minutiaeRecord = MinutiaeRecord.Write(Width, Height, Dpi, finger, quality, minutiae);
        // The same level as the R30x it stands in for, so the demo and the session tests carry the record a kiosk sends.
        var imageRecord = FingerImageRecord.FromPng(image, finger, FingerImageRecord.AcquisitionLevel500Ppi);
        return new FingerprintCapture(image, finger, quality, imageRecord, minutiaeRecord);
    }

    private static bool InsideFingertip(int x, int y) => EdgeDistance(x, y) > 0;

    /// <summary>0 on the ellipse of the fingertip, 1 at its centre, negative outside.</summary>
    private static double EdgeDistance(int x, int y)
    {
        var nx = (x - (Width / 2.0)) / (Width * 0.45);
        var ny = (y - (Height / 2.0)) / (Height * 0.47);
        return 1 - Math.Sqrt((nx * nx) + (ny * ny));
    }
}
