using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// Finds the page in a frame: the largest convex four-corner contour (cv::approxPolyDP) of a threshold (a light page
/// on the darker base pad of the camera; Otsu's and a few lower ones for shadowed corners, the best-filled outline
/// wins, or where the thresholds disagree the quad whose sides are the strongest brightness steps) or, failing that, of
/// an edge map (Canny), which also finds a page on a light desk, then of the straight runs of an outline that runs
/// out of view (a page against a cup's rim), and last, where none of that gives a page, of four straight lines of the
/// edge map (<see cref="PageLines"/>; grey paper across a cup). The corners are then the intersections of straight
/// lines fitted to the outline's four sides (<see cref="PageSides"/>); a side the outline does not follow (a corner in
/// shadow as dark as the desk) is searched for again in the image's gradients (<see cref="PageEdges"/>). A last check
/// refuses corners whose sides are no brightness steps into the page or have desk inside them (<see cref="PageBorder"/>).
/// Works on a
/// frame scaled to at most <see cref="WorkingSide"/> pixels, maps the corners back and refines them on the full frame.
/// A page that runs over the frame's edge is not a page to correct (its corners there are the frame's, not the page's):
/// it is reported as <see cref="PageMiss.CutOff"/> so the person can be told to move it.
/// </summary>
internal static class PageDetector
{
    /// <summary>Detection runs at this size: enough for corners within a few pixels, fast enough for 1080p at video rate.</summary>
    private const int WorkingSide = 1000;

    /// <summary>approxPolyDP tolerances as shares of the contour perimeter: the usual 2 % of the OpenCV samples first.</summary>
    private static readonly double[] PolygonEpsilons = [0.02, 0.03, 0.045];

    /// <summary>A contour that touches the whole frame is the frame, not a page.</summary>
    private const double MaxPageArea = 0.98;

    /// <summary>
    /// Thresholds tried, as shares of Otsu's: Otsu splits page from desk where the page is evenly lit, but a page
    /// corner in shadow falls below it; lower thresholds keep that corner while the desk stays below them.
    /// </summary>
    private static readonly double[] ThresholdShares = [1.0, 0.8, 0.65, 0.5];

    /// <summary>
    /// Width of the opening that removes fingers from the page outline, as a share of the frame's longer side: a finger
    /// (about 16-20 mm) is 2-2.5 % of a 1080p frame that holds an A4 page at 2 px/mm.
    /// </summary>
    private const double FingerWidth = 0.03;

    /// <summary>Share of its convex hull a page's outline fills even where the frame cuts it (a ragged desk patch fills less).</summary>
    private const double Solid = 0.9;

    /// <summary>
    /// A page's four sides are brightness steps into it along at least this share of their length (on the evaluation
    /// sets every page found right measured 0.85 or more; wrong corners 0-0.82).
    /// </summary>
    private const double MinPageSupport = 0.8;

    /// <summary>
    /// ...and each side along at least this share: a side that is no step (a chord the outline cut across a page whose edge
    /// is dark with shading measured 0.31) and for which the side search found no strong step either is not the page's
    /// (every page found right on the evaluation sets measured 0.56 or more).
    /// </summary>
    private const double MinSideSupport = 0.5;

    /// <summary>
    /// ...and inside every side lighter than the desk outside it by at least this share of the page's own contrast
    /// (<see cref="PageBorder.DeskInside"/>): every page found right on the evaluation sets measured 0.199 or more, even
    /// with a shaded margin; a side that took in a brick joint and the desk beside the page -0.03.
    /// </summary>
    private const double MinBorderContrast = 0.1;

    /// <summary>A quad of straight runs is a page when its sides are brightness steps into it along this share of their length.</summary>
    private const double MinRunSupport = 0.7;

    /// <summary>Corners of two thresholds' quads this close (working pixels) are the same corner.</summary>
    private const double SameCorner = 3;

    /// <summary>A corner within this many working pixels of the frame's edge is where the frame cut the page.</summary>
    private const double EdgeMargin = 2;

    /// <summary>The page's corners (top-left, top-right, bottom-right, bottom-left, full-frame pixels), or why there are none.</summary>
    public static PageSearch Find(Mat gray, double minPageArea)
    {
        var scale = Math.Min(1.0, WorkingSide / (double)Math.Max(gray.Width, gray.Height));
        using var small = new Mat();
        Cv2.Resize(gray, small, new Size(0, 0), scale, scale, InterpolationFlags.Area);
        using var smooth = new Mat();
        Cv2.GaussianBlur(small, smooth, new Size(5, 5), 0);

        var search = new Search(smooth, minPageArea);
        var found = FromThresholds(search, opened: false) ?? FromThresholds(search, opened: true) ?? FromEdges(search)
            ?? JoinedToTheEdge(search);
        PageSearch? result = found is null ? null : Corners(found.Value, search);
        if (!search.SawCutOff && result is null or { Miss: PageMiss.NoPage })
        {
            // Nothing found, or what was found failed the last check: the frame's straight edges may still make the page.
            // Not where a page cut by the frame was seen: its three sides in view and a line across it (a form's table)
            // make a quad that passes the last check but is not the whole page.
            if (FromLines(search) is { } lines && Corners(lines, search) is { Corners: not null } page)
            {
                result = page;
            }
        }

        if (result is not { Corners: { } corners })
        {
            return result ?? new PageSearch(null, search.SawCutOff ? PageMiss.CutOff : PageMiss.NoPage);
        }

        var full = corners.Select(p => new Point2f((float)(p.X / scale), (float)(p.Y / scale))).ToArray();
        Refine(gray, full, scale);
        return new PageSearch(Order(full), null);
    }

    /// <summary>A candidate's corners in working pixels (side lines fitted, sides searched), if they pass the last check.</summary>
    private static PageSearch Corners(Candidate found, Search search)
    {
        var gradients = search.Gradients.Value;
        var corners = PageEdges.Refine(gradients, found.Outline, PageSides.Fit(found.Outline, found.Quad));
        if (search.AtEdge(corners))
        {
            return new PageSearch(null, PageMiss.CutOff);
        }

        // The last check: a page's outline is a brightness step into it nearly all the way round, no side is a chord
        // across it, and no side took in a strip of desk. Corners that a finger, a grey object or desk texture pulled off
        // the page fail it; better "no page" (the person moves the page and the next frame is taken) than a page cropped
        // wrong.
        var sides = PageEdges.SideSupports(gradients, corners);
        return sides.Average() < MinPageSupport || sides.Min() < MinSideSupport || PageBorder.DeskInside(search.Smooth, corners) < MinBorderContrast
            ? new PageSearch(null, PageMiss.NoPage)
            : new PageSearch(corners, null);
    }

    /// <summary>
    /// The last try, when nothing else found a page: the thresholds once more, now also taking the straight runs (off
    /// the frame's border) of an outline that touches the frame's edge, where a page lies against a light object that
    /// runs out of view (a cup's rim, a saucer). Last, because a page the frame cuts is such an outline too (its runs
    /// then meet at the frame's edge and are refused there).
    /// </summary>
    private static Candidate? JoinedToTheEdge(Search search)
    {
        search.Edges = false;
        search.JoinedToEdge = true;
        var sawCutOff = search.SawCutOff;
        var found = FromThresholds(search, opened: false);
        search.SawCutOff = sawCutOff;
        return found;
    }

    /// <summary>
    /// The very last try: four straight edges of the frame that make a page (<see cref="PageLines"/>), for grey paper that
    /// joins a light object at every threshold. Its quad is held to the last check's own bar while it is chosen.
    /// </summary>
    private static Candidate? FromLines(Search search)
    {
        var quad = PageLines.Find(search.Smooth, search.Gradients.Value, q => !search.AtEdge(q) && search.PageSized(Cv2.ContourArea(q)),
            MinSideSupport, MinPageSupport);
        return quad is null ? null : new Candidate(quad, PageLines.Outline(quad), 1);
    }

    private static Candidate? FromEdges(Search search)
    {
        search.Opened = false;
        search.Edges = true;
        using var edges = new Mat();
        Cv2.Canny(search.Smooth, edges, 50, 150);
        // Closes one- or two-pixel gaps in the page outline so its contour is one closed curve.
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
        Cv2.Dilate(edges, edges, kernel);
        return LargestQuad(edges, search);
    }

    /// <summary>
    /// The page outline at each threshold of the ladder; the one that fills its quadrilateral best wins
    /// (a shadow-bitten outline leaves its hull's quad partly empty, a clean one fills it).
    /// </summary>
    private static Candidate? FromThresholds(Search search, bool opened)
    {
        search.Opened = opened;
        var smooth = search.Smooth;
        using var binary = new Mat();
        var otsu = Cv2.Threshold(smooth, binary, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        // Fingers holding the page are as light as paper and join its outline, running off to the frame's edge: an
        // opening wider than a finger cuts them off. It also rounds the page's corners (which the side lines put back)
        // and eats a margin narrower than a finger above dark print, so it is the second try, not the first.
        var width = Math.Max(3, (int)(FingerWidth * Math.Max(smooth.Width, smooth.Height)) | 1);
        using var finger = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(width, width));
        var candidates = new List<Candidate>();
        foreach (var share in ThresholdShares)
        {
            if (share < 1)
            {
                Cv2.Threshold(smooth, binary, otsu * share, 255, ThresholdTypes.Binary);
            }

            if (opened)
            {
                Cv2.MorphologyEx(binary, binary, MorphTypes.Open, finger);
            }

            if (LargestQuad(binary, search) is { } candidate)
            {
                candidates.Add(candidate);
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        // Where the thresholds agree, the best-filled outline is the page. Where they disagree (a lower threshold joined a
        // grey object on the desk to the page, or a higher one lost a shadowed corner), the quad whose sides are the
        // strongest brightness steps into it is.
        var first = candidates[0].Quad;
        return candidates.All(c => SameQuad(c.Quad, first))
            ? candidates.MaxBy(c => c.Fill)
            : candidates.MaxBy(c => (PageEdges.QuadSupport(search.Gradients.Value, c.Quad), c.Fill));
    }

    /// <summary>
    /// An outline that is no quadrilateral (a grey object on the desk joined to the page, or a corner bitten by shadow) may
    /// still hold the page: its four longest straight runs, where they make a page inside the frame whose sides are
    /// strong brightness steps into it.
    /// </summary>
    private static Candidate? RunsQuad(Point[] contour, double perimeter, Search search)
    {
        if (PageSides.FromRuns(contour, perimeter) is not { } sides || search.AtEdge(sides))
        {
            return null;
        }

        // The area first: the brightness steps need the frame's gradients, computed only when some outline needs them.
        var area = Cv2.ContourArea(sides);
        return search.PageSized(area) && PageEdges.QuadSupport(search.Gradients.Value, sides) >= MinRunSupport
            ? new Candidate(sides, contour, Math.Min(1, Cv2.ContourArea(contour) / area))
            : null;
    }

    /// <summary>Two quads whose corners are all within a few working pixels of each other, in the same order.</summary>
    private static bool SameQuad(Point2f[] a, Point2f[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.DistanceTo(p.Second) <= SameCorner);

    private static Candidate? LargestQuad(Mat binary, Search search)
    {
        Cv2.FindContours(binary, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        foreach (var contour in contours.OrderByDescending(c => Cv2.ContourArea(c)))
        {
            var area = Cv2.ContourArea(contour);
            if (area < search.MinArea)
            {
                return null;
            }

            if (area > search.MaxArea)
            {
                continue;
            }

            if (search.TouchesEdge(Cv2.BoundingRect(contour)))
            {
                // A page the frame cuts is still a solid polygon of straight sides (its corners in view and two where the
                // frame cuts it, six at most); a lit patch of desk at the edge is ragged, a cup or plate round.
                var edgeHull = Cv2.ConvexHull(contour);
                search.SawCutOff |= !search.Edges && area >= Solid * Cv2.ContourArea(edgeHull)
                    && Cv2.ApproxPolyDP(edgeHull, PolygonEpsilons[0] * Cv2.ArcLength(edgeHull, true), true).Length <= 6;
                if (search.JoinedToEdge && area <= search.MaxArea / 2
                    && RunsQuad([.. contour.Where(p => !search.OnBorder(p))], Cv2.ArcLength(edgeHull, true), search) is { } joined)
                {
                    return joined;
                }

                continue;
            }

            var hull = Cv2.ConvexHull(contour);
            var perimeter = Cv2.ArcLength(hull, true);
            // A finger's stub left on the opened outline makes five or six vertices at the usual tolerance; a coarser one
            // drops them while a page's four corners stay. Only there: on a plain outline it would also cut a shadowed
            // corner off with a chord, where a lower threshold finds the whole page.
            foreach (var epsilon in search.Opened ? PolygonEpsilons : PolygonEpsilons.AsSpan(0, 1))
            {
                var polygon = Cv2.ApproxPolyDP(hull, epsilon * perimeter, true);
                if (polygon.Length < 4)
                {
                    break;
                }

                var quad = polygon.Select(p => new Point2f(p.X, p.Y)).ToArray();
                if (polygon.Length == 4 && PageSides.IsPlausiblePage(quad))
                {
                    return new Candidate(quad, contour, area / Cv2.ContourArea(polygon));
                }
            }

            if (RunsQuad(contour, perimeter, search) is { } runs)
            {
                return runs;
            }
        }

        return null;
    }

    /// <summary>A page quadrilateral, the outline it was simplified from and how much of the quad the outline fills.</summary>
    private readonly record struct Candidate(Point2f[] Quad, Point[] Outline, double Fill);

    /// <summary>The working frame's bounds for one search, and whether a page-sized outline ran over its edge.</summary>
    private sealed class Search(Mat smooth, double minPageArea)
    {
        private readonly Size size = smooth.Size();

        /// <summary>The working frame's gradients, computed when first needed.</summary>
        public Lazy<PageEdges.Gradients> Gradients { get; } = new(() => new PageEdges.Gradients(smooth));

        /// <summary>The smoothed working frame every pass searches.</summary>
        public Mat Smooth { get; } = smooth;

        public double MinArea { get; } = minPageArea * smooth.Width * smooth.Height;

        public double MaxArea { get; } = MaxPageArea * smooth.Width * smooth.Height;

        /// <summary>An area a page in this frame may have.</summary>
        public bool PageSized(double area) => area >= MinArea && area <= MaxArea;

        public bool SawCutOff { get; set; }

        /// <summary>Searching an edge map, whose outlines of desk texture say nothing about a page cut by the frame.</summary>
        public bool Edges { get; set; }

        /// <summary>Outlines touching the frame's edge may hold a page whose sides are their straight runs.</summary>
        public bool JoinedToEdge { get; set; }

        public bool OnBorder(Point p) => p.X <= EdgeMargin || p.Y <= EdgeMargin || p.X >= size.Width - 1 - EdgeMargin || p.Y >= size.Height - 1 - EdgeMargin;

        /// <summary>The thresholds are opened (fingers removed): the polygon may be simplified more coarsely.</summary>
        public bool Opened { get; set; }

        public bool TouchesEdge(Rect box) => box.X <= EdgeMargin || box.Y <= EdgeMargin || box.Right >= size.Width - EdgeMargin || box.Bottom >= size.Height - EdgeMargin;

        public bool AtEdge(Point2f[] corners) => corners.Any(c => c.X <= EdgeMargin || c.Y <= EdgeMargin || c.X >= size.Width - 1 - EdgeMargin || c.Y >= size.Height - 1 - EdgeMargin);
    }

    /// <summary>Sub-pixel corner refinement (cv::cornerSubPix) in a window of a few working pixels.</summary>
    private static void Refine(Mat gray, Point2f[] corners, double scale)
    {
        var half = Math.Max(2, (int)Math.Round(3 / scale));
        var refined = Cv2.CornerSubPix(gray, corners, new Size(half, half), new Size(-1, -1), new TermCriteria(CriteriaTypes.Eps | CriteriaTypes.MaxIter, 30, 0.1));
        for (var i = 0; i < corners.Length; i++)
        {
            // cornerSubPix can wander to a nearby text corner; keep the contour corner then.
            if (refined[i].DistanceTo(corners[i]) <= half)
            {
                corners[i] = refined[i];
            }
        }
    }

    /// <summary>Top-left, top-right, bottom-right, bottom-left, by angle around the centre starting top-left.</summary>
    internal static Point2f[] Order(Point2f[] corners)
    {
        var byTopLeft = corners.OrderBy(p => p.X + p.Y).ToArray();
        var topLeft = byTopLeft[0];
        var bottomRight = byTopLeft[3];
        var rest = corners.Where(p => p != topLeft && p != bottomRight).OrderBy(p => p.Y - p.X).ToArray();
        return [topLeft, rest[0], bottomRight, rest[1]];
    }
}
