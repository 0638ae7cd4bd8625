using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// Corner geometry of a page outline: straight-line fits to its four sides (cv::fitLine, Huber M-estimator) whose
/// intersections are the corners, and the sanity checks that tell a page from any other four-cornered blob.
/// A polygon vertex (cv::approxPolyDP) is where the outline bends most, which a shadowed, rounded or torn corner
/// moves; the sides stay straight over most of their length, so their intersection is the corner the page had.
/// </summary>
internal static class PageSides
{
    /// <summary>Only the middle of each side is fitted at first: the ends bend into the neighbouring sides.</summary>
    private const double SideMiddle = 0.1;

    /// <summary>Contour points within this share of the side's length of the polygon side are taken as side points.</summary>
    private const double SideBand = 0.02;

    /// <summary>Second pass: points within this many pixels of the first fit, over nearly the whole side.</summary>
    private const double RefitBand = 2.0;

    /// <summary>How far from a polygon side a lit stretch of the page's edge may run when the side is a chord across a bitten corner.</summary>
    private const double ChordBand = 0.12;

    /// <summary>Outline points within this many pixels of a line are on it.</summary>
    private const double RunBand = 1.5;

    /// <summary>A page edge is within this many degrees of the polygon side it stands for.</summary>
    private const double MaxRunTurn = 20;

    /// <summary>A straight run must cover at least this share of the side's length to replace the side's own fit.</summary>
    private const double MinRunShare = 0.5;

    /// <summary>Lines tried per side.</summary>
    private const int RunAttempts = 200;

    /// <summary>Page corners are within this many degrees of square, even in a steep perspective.</summary>
    private const double MaxCornerSkew = 50;

    /// <summary>Long side over short side: a strip of receipt paper is about 3.5; anything longer is not a page.</summary>
    private const double MaxAspect = 5;

    /// <summary>
    /// Fits a line to each side of <paramref name="quad"/> through the <paramref name="outline"/> points along it and
    /// returns the four intersections, or the quad unchanged where a side has too few points or the fit is not a page.
    /// </summary>
    public static Point2f[] Fit(Point[] outline, Point2f[] quad)
    {
        var lines = new Line2D[4];
        for (var i = 0; i < 4; i++)
        {
            var line = FitSide(outline, quad[i], quad[(i + 1) % 4]);
            if (line is null)
            {
                return FromRuns(outline, Perimeter(quad)) ?? quad;
            }

            lines[i] = line;
        }

        return Corners(lines) ?? quad;
    }

    /// <summary>
    /// The page's sides as the outline's four longest straight runs (each at least an eighth of a side of a page of
    /// <paramref name="perimeter"/>), found one after another, each taking its points out of the next search, ordered
    /// around the outline's centre; their intersections, or null when they make no page. Used where a polygon side is
    /// too far from the outline to fit (a coarse simplification cut across a finger's stub or a bitten corner) and
    /// where the outline is no quadrilateral at all (<see cref="PageDetector"/>).
    /// </summary>
    public static Point2f[]? FromRuns(Point[] outline, double perimeter)
    {
        var centre = new Point2d(outline.Average(p => p.X), outline.Average(p => p.Y));
        var left = outline.ToList();
        var found = new List<(double Angle, Line2D Line)>();
        for (var side = 0; side < 4; side++)
        {
            var run = MostOnOneLine(left, 4 * RunAttempts, 10, _ => true, perimeter / 4 * MinRunShare / 2);
            if (run is null || FitLine(run) is not { } line)
            {
                return null;
            }

            var middle = new Point2d(run.Average(p => p.X) - centre.X, run.Average(p => p.Y) - centre.Y);
            found.Add((Math.Atan2(middle.Y, middle.X), line));
            var normal = new Point2d(-line.Vy, line.Vx);
            var origin = new Point2d(line.X1, line.Y1);
            left.RemoveAll(p => Math.Abs(Dot(new Point2d(p.X, p.Y) - origin, normal)) <= 2 * RunBand);
        }

        return Corners([.. found.OrderBy(f => f.Angle).Select(f => f.Line)]);
    }

    private static double Perimeter(Point2f[] quad)
    {
        var perimeter = 0.0;
        for (var i = 0; i < quad.Length; i++)
        {
            perimeter += quad[i].DistanceTo(quad[(i + 1) % quad.Length]);
        }

        return perimeter;
    }

    /// <summary>The intersections of four side lines in order, if they make a page.</summary>
    private static Point2f[]? Corners(Line2D[] lines)
    {
        var corners = new Point2f[4];
        for (var i = 0; i < 4; i++)
        {
            // Corner i joins side i-1 (into it) and side i (out of it).
            var corner = Intersect(lines[(i + 3) % 4], lines[i]);
            if (corner is null)
            {
                return null;
            }

            corners[i] = corner.Value;
        }

        return IsPlausiblePage(corners) ? corners : null;
    }

    /// <summary>A convex quadrilateral with near-square corners and a page-like aspect.</summary>
    public static bool IsPlausiblePage(Point2f[] quad)
    {
        if (!Cv2.IsContourConvex(quad))
        {
            return false;
        }

        for (var i = 0; i < 4; i++)
        {
            var previous = quad[(i + 3) % 4] - quad[i];
            var next = quad[(i + 1) % 4] - quad[i];
            var cos = (previous.X * next.X + previous.Y * next.Y) / (Length(previous) * Length(next));
            var degrees = Math.Acos(Math.Clamp(cos, -1, 1)) * 180 / Math.PI;
            if (Math.Abs(degrees - 90) > MaxCornerSkew)
            {
                return false;
            }
        }

        var width = (quad[0].DistanceTo(quad[1]) + quad[2].DistanceTo(quad[3])) / 2;
        var height = (quad[1].DistanceTo(quad[2]) + quad[3].DistanceTo(quad[0])) / 2;
        return Math.Min(width, height) > 0 && Math.Max(width, height) / Math.Min(width, height) <= MaxAspect;
    }

    private static Line2D? FitSide(Point[] outline, Point2f from, Point2f to)
    {
        var length = from.DistanceTo(to);
        if (length < 8)
        {
            return null;
        }

        var direction = new Point2d((to.X - from.X) / length, (to.Y - from.Y) / length);
        var normal = new Point2d(-direction.Y, direction.X);
        var band = Math.Max(3, SideBand * length);
        var first = Select(outline, from, direction, length, SideMiddle, p => Math.Abs(Dot(p - Of(from), normal)) <= band);
        var line = FitLine(first);
        if (line is null)
        {
            return null;
        }

        // Where a corner's shadow bit the outline, the polygon's side near it is a chord across the bite, not the page's
        // edge: the longest straight run of outline along the side (within a wider band) is the edge, seen where it is lit.
        var wide = Select(outline, from, direction, length, 0, p => Math.Abs(Dot(p - Of(from), normal)) <= Math.Max(band, ChordBand * length));
        if (LongestStraightRun(wide, direction, length) is { } run && run.Count > first.Count && FitLine(run) is { } straight)
        {
            line = straight;
        }

        var lineNormal = new Point2d(-line.Vy, line.Vx);
        var origin = new Point2d(line.X1, line.Y1);
        var second = Select(outline, from, direction, length, SideMiddle / 4, p => Math.Abs(Dot(p - origin, lineNormal)) <= RefitBand);
        return FitLine(second) ?? line;
    }

    /// <summary>
    /// The most outline points on one straight line within <see cref="RunBand"/> pixels and <see cref="MaxRunTurn"/> degrees
    /// of the polygon side, found by trying the line through every pair of sample points (seeded, so the same frame gives
    /// the same corners); null when no line holds <see cref="MinRunShare"/> of the side's length.
    /// </summary>
    private static List<Point>? LongestStraightRun(List<Point> points, Point2d direction, double length)
    {
        var maxSin = Math.Sin(MaxRunTurn * Math.PI / 180);
        return MostOnOneLine(points, RunAttempts, length / 8, v => Math.Abs(Cross(v, direction)) / Math.Sqrt(Dot(v, v)) <= maxSin, MinRunShare * length);
    }

    /// <summary>
    /// The points on the line (within <see cref="RunBand"/> pixels) that holds the most of them, of <paramref name="attempts"/>
    /// lines through two sample points at least <paramref name="minSpan"/> apart whose direction <paramref name="accept"/>s;
    /// seeded by the point count, so the same outline gives the same line. Null below <paramref name="minPoints"/>.
    /// </summary>
    private static List<Point>? MostOnOneLine(List<Point> points, int attempts, double minSpan, Func<Point2d, bool> accept, double minPoints)
    {
        if (points.Count < 10)
        {
            return null;
        }

        var random = new Random(points.Count);
        var bestCount = 0;
        (Point2d Origin, Point2d Normal) best = default;
        for (var attempt = 0; attempt < attempts; attempt++)
        {
            var a = points[random.Next(points.Count)];
            var b = points[random.Next(points.Count)];
            var vector = new Point2d(b.X - a.X, b.Y - a.Y);
            var span = Math.Sqrt(Dot(vector, vector));
            if (span < minSpan || !accept(vector))
            {
                continue;
            }

            var normal = new Point2d(-vector.Y / span, vector.X / span);
            var origin = new Point2d(a.X, a.Y);
            var count = 0;
            foreach (var point in points)
            {
                count += Math.Abs(Dot(new Point2d(point.X, point.Y) - origin, normal)) <= RunBand ? 1 : 0;
            }

            if (count > bestCount)
            {
                (bestCount, best) = (count, (origin, normal));
            }
        }

        return bestCount >= minPoints
            ? points.Where(p => Math.Abs(Dot(new Point2d(p.X, p.Y) - best.Origin, best.Normal)) <= RunBand).ToList()
            : null;
    }

    private static double Cross(Point2d a, Point2d b) => a.X * b.Y - a.Y * b.X;

    private static List<Point> Select(Point[] outline, Point2f from, Point2d direction, double length, double skip, Func<Point2d, bool> near)
    {
        var selected = new List<Point>();
        foreach (var point in outline)
        {
            var p = new Point2d(point.X, point.Y);
            var along = Dot(p - Of(from), direction) / length;
            if (along >= skip && along <= 1 - skip && near(p))
            {
                selected.Add(point);
            }
        }

        return selected;
    }

    private static Line2D? FitLine(List<Point> points) =>
        points.Count < 10 ? null : Cv2.FitLine(points, DistanceTypes.Huber, 0, 0.01, 0.01);

    private static Point2f? Intersect(Line2D a, Line2D b)
    {
        var cross = a.Vx * b.Vy - a.Vy * b.Vx;
        if (Math.Abs(cross) < 1e-6)
        {
            return null;
        }

        var t = ((b.X1 - a.X1) * b.Vy - (b.Y1 - a.Y1) * b.Vx) / cross;
        return new Point2f((float)(a.X1 + t * a.Vx), (float)(a.Y1 + t * a.Vy));
    }

    private static Point2d Of(Point2f p) => new(p.X, p.Y);

    private static double Dot(Point2d a, Point2d b) => a.X * b.X + a.Y * b.Y;

    private static double Length(Point2f v) => Math.Sqrt(v.X * v.X + v.Y * v.Y);
}
