namespace Kiosk.Devices.Simulated;

/// <summary>
/// A deterministic handwriting-like signature: three or four strokes of looping cursive drifting to the
/// right, sampled at 100 Hz with pressure ramps and pen-up hover samples between strokes, as an
/// ISO/IEC 19794-7 time series (x, y, t, pressure, pen down), and a greyscale rendering of it.
/// </summary>
internal static class SyntheticSignature
{
    /// <summary>Pad geometry in device units: 96 x 60 mm at 100 units per millimetre, 1024 pressure levels.</summary>
    public const int PadWidth = 9600;
    public const int PadHeight = 6000;
    public const int UnitsPerMillimetre = 100;
    public const int MaxPressure = 1023;

    private const int RenderScale = 16;
    private const int SampleIntervalMs = 10;

    public static SignatureCapture Create(int seed)
    {
        var random = new SeededRandom(seed, "signature");
        var samples = new List<PenSample>();
        var strokes = random.Next(3, 5);
        var x = random.Between(800, 1400);
        var baseline = random.Between(3200, 3800);
        long t = 0;

        for (var stroke = 0; stroke < strokes; stroke++)
        {
            var steps = random.Next(70, 96); // 0.7 to 0.95 s per stroke at 100 Hz: 2.1 to 3.8 s of writing
            var loops = random.Between(1.5, 3.5);
            var height = random.Between(900, 1600);
            var advance = random.Between(1400, 2000);
            var slant = random.Between(0.15, 0.35);
            for (var i = 0; i < steps; i++)
            {
                var u = i / (double)(steps - 1);
                var phase = 2 * Math.PI * loops * u;
                var up = height * (0.5 - (0.5 * Math.Cos(phase))) * (0.6 + (0.4 * Math.Sin(Math.PI * u)));
                var px = x + (advance * u) + (slant * up) + (180 * Math.Sin(phase * 0.5));
                var py = baseline - up;
                // Pressure rises over the first tenth of a stroke and falls over the last.
                var envelope = Math.Min(1, Math.Min(u, 1 - u) * 10);
                var pressure = (int)Math.Clamp(((0.25 + (0.6 * envelope)) * MaxPressure) + random.Between(-30, 30), 1, MaxPressure);
                samples.Add(new PenSample(Clamp(px, PadWidth), Clamp(py, PadHeight), t, pressure, PenDown: true));
                t += SampleIntervalMs + (random.NextDouble() < 0.1 ? 1 : 0);
            }

            x += advance + random.Between(150, 400);
            if (stroke < strokes - 1)
            {
                // The pen lifts and hovers to the next stroke: pressure 0, pen up.
                var hover = random.Next(15, 30);
                var last = samples[^1];
                for (var i = 1; i <= hover; i++)
                {
                    var u = i / (double)hover;
                    samples.Add(new PenSample(Clamp(last.X + ((x - last.X) * u), PadWidth), Clamp(last.Y - (300 * Math.Sin(Math.PI * u)), PadHeight), t, 0, PenDown: false));
                    t += SampleIntervalMs;
                }
            }
        }

        return new SignatureCapture(samples, PadWidth, PadHeight, MaxPressure, UnitsPerMillimetre, Render(samples));
    }

    private static int Clamp(double value, int limit) => (int)Math.Clamp(Math.Round(value), 0, limit - 1);

    private static CapturedImage Render(List<PenSample> samples)
    {
        const int width = PadWidth / RenderScale;
        const int height = PadHeight / RenderScale;
        var pixels = new byte[width * height];
        Array.Fill(pixels, (byte)255);
        for (var i = 1; i < samples.Count; i++)
        {
            var a = samples[i - 1];
            var b = samples[i];
            if (!a.PenDown || !b.PenDown)
            {
                continue;
            }

            var radius = b.Pressure > MaxPressure / 2 ? 1 : 0;
            var length = Math.Max(Math.Abs(b.X - a.X), Math.Abs(b.Y - a.Y)) / RenderScale;
            for (var s = 0; s <= length; s++)
            {
                var u = length == 0 ? 0 : s / (double)length;
                var cx = (int)((a.X + ((b.X - a.X) * u)) / RenderScale);
                var cy = (int)((a.Y + ((b.Y - a.Y) * u)) / RenderScale);
                for (var dy = -radius; dy <= radius; dy++)
                {
                    for (var dx = -radius; dx <= radius; dx++)
                    {
                        var px = cx + dx;
                        var py = cy + dy;
                        if (px >= 0 && px < width && py >= 0 && py < height)
                        {
                            pixels[(py * width) + px] = 20;
                        }
                    }
                }
            }
        }

        return new CapturedImage(GrayscalePng.Encode(pixels, width, height), "image/png", width, height);
    }
}
