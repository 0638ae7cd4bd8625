using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// The page as four straight edges of the frame, for a page no outline gives: grey paper against a white cup's rim or
/// among grey coins joins them at every threshold, and its outline is theirs. Its edges are still straight steps in
/// brightness: straight segments of the frame's edge map (cv::HoughLinesP) are merged into lines, two roughly parallel
/// pairs of lines make a quadrilateral, and the one whose sides are brightness steps into it along most of their length
/// (<see cref="PageEdges.SideSupports"/>) is the page.
/// </summary>
internal static class PageLines
{
    /// <summary>Canny thresholds: lower than the edge pass's, for grey paper against a light object.</summary>
    private const double LowEdge = 30;

    private const double HighEdge = 90;

    /// <summary>A segment at least this share of the frame's longer side, with gaps (fingers, print at the margin) up to this many pixels.</summary>
    private const double MinSegmentShare = 0.06;

    private const double MaxGap = 10;

    /// <summary>Segments this close in angle (degrees) and offset (pixels) are one line.</summary>
    private const double SameAngle = 2;

    private const double SameOffset = 4;

    /// <summary>Lines with the most segment length kept: enough for a page's four among desk and object edges.</summary>
    private const int MaxLines = 20;

    /// <summary>Opposite sides of a page in perspective are within this many degrees of parallel...</summary>
    private const double MaxPairTurn = 30;

    /// <summary>...and the two pairs at least this many degrees apart.</summary>
    private const double MinCrossing = 50;

    /// <summary>
    /// The quadrilateral of lines that makes the strongest page (every side a step into it along at least
    /// <paramref name="minSide"/> of its length, the mean at least <paramref name="minMean"/>), in corner order, or null.
    /// </summary>
    public static Point2f[]? Find(Mat smooth, PageEdges.Gradients gradients, Func<Point2f[], bool> fits, double minSide, double minMean)
    {
        var lines = Lines(smooth);
        var pairs = new List<(Line A, Line B, double Angle)>();
        for (var i = 0; i < lines.Count; i++)
        {
            for (var j = i + 1; j < lines.Count; j++)
            {
                if (Turn(lines[i].Angle, lines[j].Angle) <= MaxPairTurn)
                {
                    pairs.Add((lines[i], lines[j], Mean(lines[i].Angle, lines[j].Angle)));
                }
            }
        }

        Point2f[]? best = null;
        var (bestSupport, bestArea) = (minMean, 0.0);
        var sides = new double[4];
        for (var p = 0; p < pairs.Count; p++)
        {
            for (var q = p + 1; q < pairs.Count; q++)
            {
                var (first, second) = (pairs[p], pairs[q]);
                if (Turn(first.Angle, second.Angle) < MinCrossing)
                {
                    continue;
                }

                if (Quad(first.A, second.A, first.B, second.B) is not { } quad || !PageSides.IsPlausiblePage(quad) || !fits(quad))
                {
                    continue;
                }

                var centre = new Point2f(quad.Average(c => c.X), quad.Average(c => c.Y));
                var strong = true;
                for (var i = 0; i < 4 && strong; i++)
                {
                    sides[i] = PageEdges.SideSupport(gradients, quad[i], quad[(i + 1) % 4], centre);
                    strong = sides[i] >= minSide;
                }

                var support = strong ? sides.Average() : 0;
                var area = Cv2.ContourArea(quad);
                if (strong && (support > bestSupport || (support == bestSupport && area > bestArea)))
                {
                    (best, bestSupport, bestArea) = (quad, support, area);
                }
            }
        }

        return best is null ? null : PageDetector.Order(best);
    }

    /// <summary>An outline along the quad's four sides, a point a pixel, for the side fit that follows.</summary>
    public static Point[] Outline(Point2f[] quad) =>
        [.. Enumerable.Range(0, 4).SelectMany(i =>
        {
            var (a, b) = (quad[i], quad[(i + 1) % 4]);
            var steps = Math.Max(1, (int)a.DistanceTo(b));
            return Enumerable.Range(0, steps).Select(k => new Point(a.X + (b.X - a.X) * k / steps, a.Y + (b.Y - a.Y) * k / steps));
        })];

    /// <summary>A line through <see cref="Point"/> in direction <see cref="Angle"/> (degrees, 0-180), with the length of the segments merged into it.</summary>
    private sealed class Line(Point2d point, double angle, double offset)
    {
        public Point2d Point { get; } = point;

        public double Angle { get; } = angle;

        public double Offset { get; } = offset;

        public double Length { get; set; }

        public Point2d Direction => new(Math.Cos(Angle * Math.PI / 180), Math.Sin(Angle * Math.PI / 180));
    }

    private static List<Line> Lines(Mat smooth)
    {
        using var edges = new Mat();
        Cv2.Canny(smooth, edges, LowEdge, HighEdge);
        var minLength = MinSegmentShare * Math.Max(smooth.Width, smooth.Height);
        var segments = Cv2.HoughLinesP(edges, 1, Math.PI / 180, (int)minLength, minLength, MaxGap);
        var lines = new List<Line>();
        foreach (var s in segments.OrderByDescending(s => s.Length()))
        {
            var angle = Math.Atan2(s.P2.Y - s.P1.Y, s.P2.X - s.P1.X) * 180 / Math.PI;
            angle = (angle % 180 + 180) % 180;
            var mid = new Point2d((s.P1.X + s.P2.X) / 2.0, (s.P1.Y + s.P2.Y) / 2.0);
            var offset = Offset(mid, angle);
            var same = lines.FirstOrDefault(l => Turn(l.Angle, angle) <= SameAngle && Math.Abs(Offset(mid, l.Angle) - l.Offset) <= SameOffset);
            if (same is null)
            {
                lines.Add(new Line(mid, angle, offset) { Length = s.Length() });
            }
            else
            {
                same.Length += s.Length();
            }
        }

        return [.. lines.OrderByDescending(l => l.Length).Take(MaxLines)];
    }

    /// <summary>Signed distance of the line through <paramref name="p"/> at <paramref name="angle"/> from the origin.</summary>
    private static double Offset(Point2d p, double angle)
    {
        var radians = angle * Math.PI / 180;
        return -p.X * Math.Sin(radians) + p.Y * Math.Cos(radians);
    }

    /// <summary>Angle between two undirected directions, 0-90 degrees.</summary>
    private static double Turn(double a, double b)
    {
        var d = Math.Abs(a - b) % 180;
        return Math.Min(d, 180 - d);
    }

    /// <summary>Mean of two undirected directions within 90 degrees of each other.</summary>
    private static double Mean(double a, double b) => Math.Abs(a - b) <= 90 ? (a + b) / 2 : ((a + b + 180) / 2) % 180;

    /// <summary>The corners where four lines taken in turn around the page meet, or null where two are parallel.</summary>
    private static Point2f[]? Quad(params Line[] sides)
    {
        var corners = new Point2f[4];
        for (var i = 0; i < 4; i++)
        {
            if (Intersect(sides[i], sides[(i + 1) % 4]) is not { } corner)
            {
                return null;
            }

            corners[i] = corner;
        }

        return corners;
    }

    private static Point2f? Intersect(Line a, Line b)
    {
        var (da, db) = (a.Direction, b.Direction);
        var cross = da.X * db.Y - da.Y * db.X;
        if (Math.Abs(cross) < 1e-6)
        {
            return null;
        }

        var t = ((b.Point.X - a.Point.X) * db.Y - (b.Point.Y - a.Point.Y) * db.X) / cross;
        return new Point2f((float)(a.Point.X + da.X * t), (float)(a.Point.Y + da.Y * t));
    }
}
