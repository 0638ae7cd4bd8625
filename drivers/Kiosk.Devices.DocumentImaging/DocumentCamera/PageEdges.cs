using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// Second look at the sides of a page outline that the outline does not follow: where a corner lies in shadow (or a
/// finger was cut off with the page's margin), the lit outline turns inwards and the fitted side is a chord across the
/// page. The page's true edge there still shows in the image as a straight step in brightness, however faint, with all
/// of the lit page on its inner side. Each such side is searched for again: its two ends slide along the neighbouring
/// sides' lines, and the line that keeps the lit outline inside and runs along the most image gradient across itself
/// (an edge in the line's direction, cf. the gradient-alignment test of LSD, von Gioi et al. 2010) wins. A side that is
/// then still no step, even one the outline follows (it ran along a cup's rim or a finger lying on the page), is searched
/// for once more without the outline.
/// </summary>
internal static class PageEdges
{
    /// <summary>A side the outline runs along over this share of its length is seen, and kept.</summary>
    private const double SeenShare = 0.6;

    /// <summary>Outline points within this many pixels of a side's line are on it.</summary>
    private const double OnLine = 2.0;

    /// <summary>
    /// How far each end of a side may slide outwards along its neighbour's line (a bitten corner lies beyond the lit
    /// outline) and inwards, as shares of the side's length.
    /// </summary>
    private const double Reach = 0.6;

    private const double InwardReach = 0.1;

    /// <summary>A page's edge is a brightness step along at least this share of its length...</summary>
    private const double MinSupport = 0.5;

    /// <summary>...and a new side must be a clearly better one than the old (whose lit outline may merely run outside it).</summary>
    private const double MinGain = 0.1;

    /// <summary>Lines whose support is within this of the best are as good; of them, the one closest to the old side wins (a desk's own straight lines lie further out).</summary>
    private const double Tie = 0.03;

    /// <summary>Coarse search step, in working pixels, at least, and as a share of the frame's longer side; then every pixel around the best.</summary>
    private const int CoarseStep = 3;

    private const double CoarseShare = 0.006;

    /// <summary>Lit outline points allowed outside a candidate side by more than <see cref="Outside"/> pixels (fingers' stubs, noise).</summary>
    private const double MaxOutsideShare = 0.01;

    private const double Outside = 3.0;

    /// <summary>A gradient counts for a line when it is at least this strong (Sobel 3x3 of the smoothed frame, about 2 grey levels a pixel)...</summary>
    private const float MinGradient = 16;

    /// <summary>...and points within this many degrees of the line's normal.</summary>
    private const double MaxGradientTurn = 22.5;

    private static readonly double CosTurn = Math.Cos(MaxGradientTurn * Math.PI / 180);

    /// <summary>Coarse candidates looked at again pixel by pixel (the best that keep the lit outline inside).</summary>
    private const int Refinements = 3;

    /// <summary>
    /// A side that is still no step into the page along <see cref="MinSupport"/> of its length after that (the outline
    /// ran along a cup's rim or a finger, not the page) is searched for once more, now free of the outline; the line found
    /// replaces it only where it is a strong step along <see cref="StrongSide"/> of its length.
    /// </summary>
    private const double StrongSide = 0.8;

    /// <summary>
    /// The corners (in the quad's order, working pixels) with every side the outline does not follow searched for again,
    /// and then every side that is no brightness step into the page; unchanged when nothing clearly better is found.
    /// </summary>
    public static Point2f[] Refine(Gradients gradients, Point[] outline, Point2f[] corners)
    {
        var seen = new double[4];
        for (var i = 0; i < 4; i++)
        {
            seen[i] = SeenShareOf(outline, corners[i], corners[(i + 1) % 4]);
        }

        var result = corners;
        var unseen = Enumerable.Range(0, 4).Where(i => seen[i] < SeenShare).OrderBy(i => seen[i]).ToArray();
        if (unseen.Length is not (0 or 4))
        {
            foreach (var side in unseen)
            {
                if (Search(gradients, outline, result, side) is { } better && PageSides.IsPlausiblePage(better))
                {
                    result = better;
                }
            }
        }

        var support = SideSupports(gradients, result);
        foreach (var side in Enumerable.Range(0, 4).Where(i => support[i] < MinSupport).OrderBy(i => support[i]))
        {
            if (Search(gradients, [], result, side) is { } better && PageSides.IsPlausiblePage(better)
                && SideSupports(gradients, better)[side] >= StrongSide)
            {
                result = better;
            }
        }

        return result;
    }

    /// <summary>Share of the side from <paramref name="from"/> to <paramref name="to"/> that outline points lie along.</summary>
    private static double SeenShareOf(Point[] outline, Point2f from, Point2f to)
    {
        var length = from.DistanceTo(to);
        if (length < 1)
        {
            return 0;
        }

        var (dx, dy) = ((to.X - from.X) / length, (to.Y - from.Y) / length);
        var covered = new bool[(int)Math.Ceiling(length) + 1];
        foreach (var p in outline)
        {
            var (vx, vy) = (p.X - from.X, p.Y - from.Y);
            var along = vx * dx + vy * dy;
            if (along >= 0 && along <= length && Math.Abs(vx * -dy + vy * dx) <= OnLine)
            {
                covered[(int)along] = true;
            }
        }

        return covered.Count(c => c) / (double)covered.Length;
    }

    /// <summary>
    /// Side <paramref name="side"/> (from corner side to corner side+1) again: each end slides along its neighbour's line;
    /// the corners with the best-supported line that leaves the lit outline inside, or null when that is the old side.
    /// A coarse grid of candidates is scored on gradients averaged over the grid's step (so a line between two grid
    /// points still sees the edge), the best few again at every pixel around them on the frame's own gradients.
    /// </summary>
    private static Point2f[]? Search(Gradients gradients, Point[] outline, Point2f[] corners, int side)
    {
        var a = corners[side];
        var b = corners[(side + 1) % 4];
        var length = a.DistanceTo(b);
        var uA = Unit(a - corners[(side + 3) % 4]);
        var uB = Unit(b - corners[(side + 2) % 4]);
        var centre = new Point2f(corners.Average(c => c.X), corners.Average(c => c.Y));
        var (inward, reach) = ((int)(InwardReach * length), (int)(Reach * length));
        var near = Near(outline, a, b, centre, inward + Outside + 1);
        var maxOutside = MaxOutsideShare * outline.Length;

        Segment At((int S, int T) end) => new(a + uA * end.S, b + uB * end.T, centre);

        var step = gradients.CoarseStep;
        var coarse = new List<(int S, int T, double Score)>();
        for (var s = -inward; s <= reach; s += step)
        {
            for (var t = -inward; t <= reach; t += step)
            {
                var score = At((s, t)).Support(gradients.Coarse, gradients.CoarseMinGradient, 2);
                if (score > 0)
                {
                    coarse.Add((s, t, score));
                }
            }
        }

        var fine = new Dictionary<(int S, int T), double> { [(0, 0)] = At((0, 0)).Support(gradients.Fine, MinGradient, 1) };
        var refined = 0;
        foreach (var (cs, ct, _) in coarse.OrderByDescending(c => c.Score))
        {
            if (refined == Refinements)
            {
                break;
            }

            // Coarse lines are a grid step off at most: the lit outline may stick out that much further.
            if (At((cs, ct)).Outside(near, Outside + step) > maxOutside)
            {
                continue;
            }

            refined++;
            for (var s = cs - step + 1; s < cs + step; s++)
            {
                for (var t = ct - step + 1; t < ct + step; t++)
                {
                    if (!fine.ContainsKey((s, t)))
                    {
                        fine[(s, t)] = At((s, t)).Support(gradients.Fine, MinGradient, 1);
                    }
                }
            }
        }

        var inside = new Dictionary<(int S, int T), bool>();
        bool LitInside((int S, int T) end)
        {
            if (!inside.TryGetValue(end, out var ok))
            {
                ok = inside[end] = At(end).Outside(near, Outside) <= maxOutside;
            }

            return ok;
        }

        var ranked = fine.Where(e => e.Value > 0).OrderByDescending(e => e.Value).ToList();
        var best = ranked.FirstOrDefault(e => LitInside(e.Key));
        if (best.Value < MinSupport || best.Value < fine[(0, 0)] + MinGain)
        {
            return null;
        }

        var chosen = ranked.Where(e => e.Value >= best.Value - Tie && LitInside(e.Key)).MinBy(e => Math.Abs(e.Key.S) + Math.Abs(e.Key.T)).Key;
        if (chosen == (0, 0))
        {
            return null;
        }

        var result = (Point2f[])corners.Clone();
        result[side] = a + uA * chosen.S;
        result[(side + 1) % 4] = b + uB * chosen.T;
        return result;
    }

    /// <summary>The outline points a candidate side could leave outside: those not deep inside the old side.</summary>
    private static Point[] Near(Point[] outline, Point2f a, Point2f b, Point2f centre, double depth)
    {
        var side = new Segment(a, b, centre);
        return [.. outline.Where(o => side.Beyond(o) > -depth)];
    }

    /// <summary>A candidate side from <see cref="P"/> to <see cref="Q"/>, its normal pointing away from the page's centre.</summary>
    private readonly struct Segment
    {
        private readonly double dx, dy, nx, ny;

        public Segment(Point2f p, Point2f q, Point2f centre)
        {
            (P, Q) = (p, q);
            Length = p.DistanceTo(q);
            (dx, dy) = Length < 1e-6 ? (0, 0) : ((q.X - p.X) / Length, (q.Y - p.Y) / Length);
            (nx, ny) = (-dy, dx);
            if ((centre.X - p.X) * nx + (centre.Y - p.Y) * ny > 0)
            {
                (nx, ny) = (-nx, -ny);
            }
        }

        public Point2f P { get; }

        public Point2f Q { get; }

        public double Length { get; }

        /// <summary>How far a point lies outside the line (negative: inside).</summary>
        public double Beyond(Point o) => (o.X - P.X) * nx + (o.Y - P.Y) * ny;

        /// <summary>Outline points beside the segment and more than <paramref name="margin"/> pixels outside it.</summary>
        public int Outside(Point[] points, double margin)
        {
            var count = 0;
            foreach (var o in points)
            {
                var along = (o.X - P.X) * dx + (o.Y - P.Y) * dy;
                count += along >= 0 && along <= Length && Beyond(o) > margin ? 1 : 0;
            }

            return count;
        }

        /// <summary>
        /// Share of the segment's middle along which the gradient crosses it into the page (at least
        /// <paramref name="minGradient"/>, within <see cref="MaxGradientTurn"/> of the normal: the page is the brighter side),
        /// sampled every <paramref name="stride"/> pixels; -1 when the segment is too short or leaves the frame.
        /// </summary>
        public double Support(Gradient gradient, float minGradient, int stride)
        {
            if (Length < 8)
            {
                return -1;
            }

            var cos2 = CosTurn * CosTurn;
            var min2 = minGradient * minGradient;
            var (samples, crossing) = (0, 0);
            for (var step = 0.03 * Length; step <= 0.97 * Length; step += stride)
            {
                var x = (int)(P.X + dx * step + 0.5);
                var y = (int)(P.Y + dy * step + 0.5);
                if (!gradient.Inside(x, y))
                {
                    return -1;
                }

                samples++;
                var (gx, gy) = gradient.At(x, y);
                var magnitude2 = gx * gx + gy * gy;
                var into = -(gx * nx + gy * ny);
                crossing += magnitude2 >= min2 && into > 0 && into * into >= cos2 * magnitude2 ? 1 : 0;
            }

            return samples == 0 ? -1 : crossing / (double)samples;
        }
    }

    private static Point2f Unit(Point2f v)
    {
        var length = Math.Sqrt(v.X * v.X + v.Y * v.Y);
        return length < 1e-6 ? new Point2f(0, 0) : new Point2f((float)(v.X / length), (float)(v.Y / length));
    }

    /// <summary>
    /// How much of a quadrilateral's outline is a brightness step into it: the mean of its sides' support
    /// (<see cref="SideSupports"/>).
    /// </summary>
    public static double QuadSupport(Gradients gradients, Point2f[] quad) => SideSupports(gradients, quad).Average();

    /// <summary>
    /// Each side's share (from corner i to corner i+1) that is a brightness step into the quadrilateral, on the gradients
    /// averaged over the coarse step (so a side a pixel or two off still counts); 0 for a side too short or out of the frame.
    /// </summary>
    public static double[] SideSupports(Gradients gradients, Point2f[] quad)
    {
        var centre = new Point2f(quad.Average(c => c.X), quad.Average(c => c.Y));
        var support = new double[4];
        for (var i = 0; i < 4; i++)
        {
            support[i] = SideSupport(gradients, quad[i], quad[(i + 1) % 4], centre);
        }

        return support;
    }

    /// <summary>One side's share from <paramref name="from"/> to <paramref name="to"/> that is a brightness step towards <paramref name="centre"/>.</summary>
    public static double SideSupport(Gradients gradients, Point2f from, Point2f to, Point2f centre) =>
        Math.Max(0, new Segment(from, to, centre).Support(gradients.Coarse, gradients.CoarseMinGradient, 1));

    /// <summary>The working frame's Sobel derivatives, and the same averaged over the coarse search step.</summary>
    internal sealed class Gradients
    {
        public Gradients(Mat smooth)
        {
            CoarseStep = Math.Max(PageEdges.CoarseStep, (int)(CoarseShare * Math.Max(smooth.Width, smooth.Height)));
            using var gx = new Mat();
            using var gy = new Mat();
            Cv2.Sobel(smooth, gx, MatType.CV_32F, 1, 0, 3);
            Cv2.Sobel(smooth, gy, MatType.CV_32F, 0, 1, 3);
            Fine = new Gradient(gx, gy);
            var box = new Size(CoarseStep | 1, CoarseStep | 1);
            Cv2.Blur(gx, gx, box);
            Cv2.Blur(gy, gy, box);
            Coarse = new Gradient(gx, gy);
            // An edge a few pixels wide keeps about this share of its strength averaged over the step.
            CoarseMinGradient = MinGradient * 3f / (CoarseStep | 1);
        }

        public int CoarseStep { get; }

        public Gradient Fine { get; }

        public Gradient Coarse { get; }

        public float CoarseMinGradient { get; }
    }

    /// <summary>Derivatives of the working frame, read by pixel.</summary>
    internal sealed class Gradient
    {
        private readonly float[] x;
        private readonly float[] y;
        private readonly int width;
        private readonly int height;

        public Gradient(Mat gx, Mat gy)
        {
            (width, height) = (gx.Width, gx.Height);
            gx.GetArray(out x);
            gy.GetArray(out y);
        }

        public bool Inside(int px, int py) => px >= 0 && py >= 0 && px < width && py < height;

        public (float X, float Y) At(int px, int py) => (x[py * width + px], y[py * width + px]);
    }
}
