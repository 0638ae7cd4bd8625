using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// Brightness just inside a page's sides. Where a light strip of the desk (a brick joint, a mortar line) runs along a
/// page's edge, its far side can be the stronger step, and the quad then takes in the strip and the dark desk between
/// it and the page: along that side the quad's inside is as dark as the desk outside it. A page's own margin, even
/// shaded, is lighter than the desk beside it.
/// </summary>
internal static class PageBorder
{
    /// <summary>Depths inside each side (working pixels) looked at: the strip by the side, and one further in.</summary>
    private static readonly (double From, double To)[] Inside = [(3, 8), (15, 30)];

    private static readonly (double From, double To) Outside = (-8, -3);

    /// <summary>
    /// For the side whose inside is darkest: how much lighter than the desk outside it its darker inner strip is, as a
    /// share of how much lighter the whole quad's inside is (1: as light as the page; 0 or less: desk inside the side).
    /// </summary>
    public static double DeskInside(Mat smooth, Point2f[] quad)
    {
        using var mask = new Mat(smooth.Size(), MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillConvexPoly(mask, quad.Select(p => new Point((int)Math.Round(p.X), (int)Math.Round(p.Y))).ToArray(), Scalar.All(255));
        var interior = Cv2.Mean(smooth, mask).Val0;
        var centre = new Point2f(quad.Average(c => c.X), quad.Average(c => c.Y));
        smooth.GetArray(out byte[] pixels);
        var width = smooth.Width;
        var worst = double.PositiveInfinity;
        for (var i = 0; i < 4; i++)
        {
            var (a, b) = (quad[i], quad[(i + 1) % 4]);
            var length = a.DistanceTo(b);
            if (length < 8)
            {
                continue;
            }

            var (dx, dy) = ((b.X - a.X) / length, (b.Y - a.Y) / length);
            var (nx, ny) = (-dy, dx);
            if ((centre.X - a.X) * nx + (centre.Y - a.Y) * ny < 0)
            {
                (nx, ny) = (-nx, -ny);
            }

            double Mean((double From, double To) depth)
            {
                var (sum, count) = (0.0, 0);
                for (var along = 0.1 * length; along <= 0.9 * length; along += 2)
                {
                    for (var d = depth.From; d <= depth.To; d++)
                    {
                        var x = (int)(a.X + dx * along + nx * d);
                        var y = (int)(a.Y + dy * along + ny * d);
                        if (x >= 0 && y >= 0 && x < smooth.Width && y < smooth.Height)
                        {
                            sum += pixels[y * width + x];
                            count++;
                        }
                    }
                }

                return count == 0 ? double.NaN : sum / count;
            }

            var outside = Mean(Outside);
            var inside = Inside.Min(Mean);
            if (double.IsNaN(outside) || double.IsNaN(inside) || interior - outside <= 0)
            {
                continue;
            }

            worst = Math.Min(worst, (inside - outside) / (interior - outside));
        }

        return worst;
    }
}
