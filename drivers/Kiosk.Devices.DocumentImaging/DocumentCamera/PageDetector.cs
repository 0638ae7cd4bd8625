using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// Finds the page in a frame: the largest convex four-corner contour (cv::approxPolyDP) of a threshold (a light page
/// on the darker base pad of the camera; Otsu's and a few lower ones for shadowed corners, the best-filled outline
/// wins) or, failing that, of an edge map (Canny), which also finds a page on a light desk. The corners are then
/// the intersections of straight lines fitted to the outline's four sides (<see cref="PageSides"/>). Works on a
/// frame scaled to at most <see cref="WorkingSide"/> pixels and maps the corners back.
/// </summary>
internal static class PageDetector
{
    /// <summary>Detection runs at this size: enough for corners within a few pixels, fast enough for 1080p at video rate.</summary>
    private const int WorkingSide = 1000;

    /// <summary>approxPolyDP tolerance as a share of the contour perimeter (the usual 2 % of the OpenCV samples).</summary>
    private const double PolygonEpsilon = 0.02;

    /// <summary>A contour that touches the whole frame is the frame, not a page.</summary>
    private const double MaxPageArea = 0.98;

    /// <summary>
    /// Thresholds tried, as shares of Otsu's: Otsu splits page from desk where the page is evenly lit, but a page
    /// corner in shadow falls below it; lower thresholds keep that corner while the desk stays below them.
    /// </summary>
    private static readonly double[] ThresholdShares = [1.0, 0.8, 0.65, 0.5];

    public static Point2f[]? Find(Mat gray, double minPageArea)
    {
        var scale = Math.Min(1.0, WorkingSide / (double)Math.Max(gray.Width, gray.Height));
        using var small = new Mat();
        Cv2.Resize(gray, small, new Size(0, 0), scale, scale, InterpolationFlags.Area);
        using var smooth = new Mat();
        Cv2.GaussianBlur(small, smooth, new Size(5, 5), 0);

        var frameArea = (double)small.Width * small.Height;
        var found = FromThresholds(smooth, frameArea, minPageArea) ?? FromEdges(smooth, frameArea, minPageArea);
        if (found is null)
        {
            return null;
        }

        var corners = PageSides.Fit(found.Value.Outline, found.Value.Quad);
        var full = corners.Select(p => new Point2f((float)(p.X / scale), (float)(p.Y / scale))).ToArray();
        Refine(gray, full, scale);
        return Order(full);
    }

    private static Candidate? FromEdges(Mat smooth, double frameArea, double minPageArea)
    {
        using var edges = new Mat();
        Cv2.Canny(smooth, edges, 50, 150);
        // Closes one- or two-pixel gaps in the page outline so its contour is one closed curve.
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(3, 3));
        Cv2.Dilate(edges, edges, kernel);
        return LargestQuad(edges, frameArea, minPageArea);
    }

    /// <summary>
    /// The page outline at each threshold of the ladder; the one that fills its quadrilateral best wins
    /// (a shadow-bitten outline leaves its hull's quad partly empty, a clean one fills it).
    /// </summary>
    private static Candidate? FromThresholds(Mat smooth, double frameArea, double minPageArea)
    {
        using var binary = new Mat();
        var otsu = Cv2.Threshold(smooth, binary, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        Candidate? best = null;
        foreach (var share in ThresholdShares)
        {
            if (share < 1)
            {
                Cv2.Threshold(smooth, binary, otsu * share, 255, ThresholdTypes.Binary);
            }

            var candidate = LargestQuad(binary, frameArea, minPageArea);
            if (candidate is not null && (best is null || candidate.Value.Fill > best.Value.Fill))
            {
                best = candidate;
            }
        }

        return best;
    }

    private static Candidate? LargestQuad(Mat binary, double frameArea, double minPageArea)
    {
        Cv2.FindContours(binary, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxNone);
        foreach (var contour in contours.OrderByDescending(c => Cv2.ContourArea(c)))
        {
            var area = Cv2.ContourArea(contour);
            if (area < minPageArea * frameArea)
            {
                return null;
            }

            if (area > MaxPageArea * frameArea)
            {
                continue;
            }

            var hull = Cv2.ConvexHull(contour);
            var polygon = Cv2.ApproxPolyDP(hull, PolygonEpsilon * Cv2.ArcLength(hull, true), true);
            var quad = polygon.Select(p => new Point2f(p.X, p.Y)).ToArray();
            if (polygon.Length == 4 && PageSides.IsPlausiblePage(quad))
            {
                return new Candidate(quad, contour, area / Cv2.ContourArea(polygon));
            }
        }

        return null;
    }

    /// <summary>A page quadrilateral, the outline it was simplified from and how much of the quad the outline fills.</summary>
    private readonly record struct Candidate(Point2f[] Quad, Point[] Outline, double Fill);

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
