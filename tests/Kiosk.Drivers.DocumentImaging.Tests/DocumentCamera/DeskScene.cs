using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentCamera;

/// <summary>
/// A 1920x1080 camera frame made for the test: a real page photograph (page.png or text.png) warped by a known
/// homography (rotated, in perspective) onto a dark textured desk made from coffee.png.
/// </summary>
internal sealed class DeskScene : IDisposable
{
    public const int Width = 1920;
    public const int Height = 1080;

    private DeskScene(Mat frame, Point2f[] corners)
    {
        Frame = frame;
        Corners = corners;
    }

    public Mat Frame { get; }

    /// <summary>Where the page's corners landed: top-left, top-right, bottom-right, bottom-left.</summary>
    public Point2f[] Corners { get; }

    public double PageDiagonal => Math.Max(Corners[0].DistanceTo(Corners[2]), Corners[1].DistanceTo(Corners[3]));

    /// <param name="light">Share of the photograph's brightness the desk has.</param>
    public static Mat Desk(double light = 0.2)
    {
        using var coffee = Cv2.ImRead(RepositoryPaths.TestDataFile("coffee.png"), ImreadModes.Color);
        var desk = new Mat();
        Cv2.Resize(coffee, desk, new Size(Width, Height));
        // By default the dark base pad of a document camera, textured by the photograph at a fifth of its brightness.
        // (page.png has a shadowed bottom-left corner, grey 50-75: on a desk brighter than about a third it is as dark as the desk.)
        desk.ConvertTo(desk, -1, light, 0);
        return desk;
    }

    /// <param name="degrees">Rotation of the page on the desk.</param>
    /// <param name="keystone">How much shorter the far (top) edge is than the near one, as a share.</param>
    /// <param name="deskLight">Share of the desk photograph's brightness (<see cref="Desk"/>).</param>
    /// <param name="photo">The page's photograph: page.png (white paper) or text.png (grey paper, handwriting).</param>
    /// <param name="underneath">Drawn on the desk before the page is laid on it (a cup, a saucer).</param>
    public static DeskScene Create(double degrees, double keystone, double deskLight = 0.2, string photo = "page.png", Action<Mat>? underneath = null)
    {
        using var page = Cv2.ImRead(RepositoryPaths.TestDataFile(photo), ImreadModes.Color);
        var frame = Desk(deskLight);
        underneath?.Invoke(frame);
        var halfWidth = 520.0;
        var halfHeight = halfWidth * page.Height / page.Width;
        var top = halfWidth * (1 - keystone);
        (double X, double Y)[] local = [(-top, -halfHeight), (top, -halfHeight), (halfWidth, halfHeight), (-halfWidth, halfHeight)];
        var angle = degrees * Math.PI / 180;
        var corners = local
            .Select(p => new Point2f(
                (float)(Width / 2.0 + p.X * Math.Cos(angle) - p.Y * Math.Sin(angle)),
                (float)(Height / 2.0 + p.X * Math.Sin(angle) + p.Y * Math.Cos(angle))))
            .ToArray();
        Point2f[] source = [new(0, 0), new(page.Width, 0), new(page.Width, page.Height), new(0, page.Height)];
        using var homography = Cv2.GetPerspectiveTransform(source, corners);
        using var warped = new Mat();
        using var mask = new Mat();
        using var white = new Mat(page.Size(), MatType.CV_8UC1, Scalar.All(255));
        Cv2.WarpPerspective(page, warped, homography, frame.Size(), InterpolationFlags.Linear);
        Cv2.WarpPerspective(white, mask, homography, frame.Size(), InterpolationFlags.Nearest);
        warped.CopyTo(frame, mask);
        return new DeskScene(frame, corners);
    }

    public void Dispose() => Frame.Dispose();
}
