using OpenCvSharp;

namespace Kiosk.PageEvalSet;

/// <summary>
/// One camera frame being composed: a desk, optionally a page warped onto it at known corners, then the looks of a real
/// document camera (uneven light, focus, fingers holding the page, sensor noise). All randomness comes from the caller's
/// seeded <see cref="Random"/>.
/// </summary>
internal sealed class Scene : IDisposable
{
    public const int Width = 1920;
    public const int Height = 1080;

    private Scene(Mat frame) => Frame = frame;

    public Mat Frame { get; }

    /// <summary>The page's corners in the frame, clockwise from the page's own top-left; empty without a page.</summary>
    public Point2f[] Corners { get; private set; } = [];

    /// <summary>
    /// A desk of the photograph <paramref name="texture"/> covering the frame at <paramref name="brightness"/> of its light:
    /// a document camera's dark base pad is about 0.2, a wooden or grey desk 0.4 to 0.6.
    /// </summary>
    public static Scene OnDesk(Mat texture, double brightness, Random random)
    {
        var cover = Math.Max((double)Width / texture.Width, (double)Height / texture.Height) * (1 + random.NextDouble());
        using var scaled = new Mat();
        Cv2.Resize(texture, scaled, new Size(0, 0), cover, cover, InterpolationFlags.Linear);
        var x = random.Next(scaled.Width - Width + 1);
        var y = random.Next(scaled.Height - Height + 1);
        var frame = new Mat(scaled, new Rect(x, y, Width, Height)).Clone();
        frame.ConvertTo(frame, -1, brightness, 0);
        return new Scene(frame);
    }

    /// <summary>
    /// Lays <paramref name="page"/> with its longer side <paramref name="longSide"/> pixels, turned by
    /// <paramref name="degrees"/>, its far edge shorter by <paramref name="keystone"/> (perspective), its centre at
    /// (<paramref name="cx"/>, <paramref name="cy"/>). The page's edge is anti-aliased as a lens renders it.
    /// </summary>
    public void Lay(Mat page, double longSide, double degrees, double keystone, double cx, double cy)
    {
        var scale = longSide / Math.Max(page.Width, page.Height);
        var halfWidth = page.Width * scale / 2;
        var halfHeight = page.Height * scale / 2;
        var far = halfWidth * (1 - keystone);
        // The far edge also comes a little closer: a page seen at an angle is shorter in depth too.
        var depth = halfHeight * (1 - (keystone / 2));
        (double X, double Y)[] local = [(-far, -depth), (far, -depth), (halfWidth, halfHeight), (-halfWidth, halfHeight)];
        var angle = degrees * Math.PI / 180;
        Corners = [.. local.Select(p => new Point2f(
            (float)(cx + (p.X * Math.Cos(angle)) - (p.Y * Math.Sin(angle))),
            (float)(cy + (p.X * Math.Sin(angle)) + (p.Y * Math.Cos(angle)))))];
        Point2f[] source = [new(0, 0), new(page.Width, 0), new(page.Width, page.Height), new(0, page.Height)];
        using var homography = Cv2.GetPerspectiveTransform(source, Corners);
        using var warped = new Mat();
        Cv2.WarpPerspective(page, warped, homography, Frame.Size(), InterpolationFlags.Linear);
        using var white = new Mat(page.Size(), MatType.CV_32FC1, Scalar.All(1));
        using var alpha = new Mat();
        Cv2.WarpPerspective(white, alpha, homography, Frame.Size(), InterpolationFlags.Linear);
        Blend(warped, alpha);
    }

    /// <summary>Light falling off across the frame from <paramref name="from"/> to <paramref name="to"/> (shares of full light) in a random direction.</summary>
    public void Gradient(double from, double to, Random random)
    {
        var angle = random.NextDouble() * 2 * Math.PI;
        var (dx, dy) = (Math.Cos(angle), Math.Sin(angle));
        var extent = (Math.Abs(dx) * Width) + (Math.Abs(dy) * Height);
        var values = new float[Width * Height];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var t = ((((x - (Width / 2.0)) * dx) + ((y - (Height / 2.0)) * dy)) / extent) + 0.5;
                values[(y * Width) + x] = (float)(from + ((to - from) * t));
            }
        }

        using var gain = new Mat(Height, Width, MatType.CV_32FC1);
        gain.SetArray(values);

        using var gain3 = new Mat();
        Cv2.Merge([gain, gain, gain], gain3);
        using var light = new Mat();
        Frame.ConvertTo(light, MatType.CV_32FC3);
        Cv2.Multiply(light, gain3, light);
        light.ConvertTo(Frame, MatType.CV_8UC3);
    }

    public void Blur(double sigma) => Cv2.GaussianBlur(Frame, Frame, new Size(0, 0), sigma);

    /// <summary>
    /// Sensor noise, Gaussian with standard deviation <paramref name="sigma"/> grey levels (cv::randn's own generator,
    /// seeded once per run by the program, so the frames are the same every run).
    /// </summary>
    public void Noise(double sigma)
    {
        using var noise = new Mat(Frame.Size(), MatType.CV_16SC3);
        Cv2.Randn(noise, Scalar.All(0), Scalar.All(sigma));
        using var wide = new Mat();
        Frame.ConvertTo(wide, MatType.CV_16SC3);
        Cv2.Add(wide, noise, wide);
        wide.ConvertTo(Frame, MatType.CV_8UC3);
    }

    /// <summary>
    /// A finger reaching in from outside the page across its edge at <paramref name="along"/> (0..1) of side
    /// <paramref name="side"/> (0 top, clockwise), about <paramref name="width"/> pixels wide, skin-coloured and shaded.
    /// </summary>
    public void Finger(int side, double along, double width, Random random)
    {
        var from = Corners[side];
        var to = Corners[(side + 1) % 4];
        var edge = new Point2d(from.X + ((to.X - from.X) * along), from.Y + ((to.Y - from.Y) * along));
        var centre = Centre();
        var outward = new Point2d(edge.X - centre.X, edge.Y - centre.Y);
        var length = Math.Sqrt((outward.X * outward.X) + (outward.Y * outward.Y));
        outward = new Point2d(outward.X / length, outward.Y / length);
        // The fingertip lies on the page, 0.6 to 1.4 finger widths in from the edge; the finger runs out of the frame.
        var tip = edge - (outward * (width * (0.6 + (0.8 * random.NextDouble()))));
        var end = edge + (outward * 2000);
        var skin = new Scalar(95 + random.Next(40), 130 + random.Next(40), 185 + random.Next(50));
        Cv2.Line(Frame, ToPoint(tip), ToPoint(end), skin, (int)width, LineTypes.AntiAlias);
        Cv2.Circle(Frame, ToPoint(tip), (int)(width / 2), skin, -1, LineTypes.AntiAlias);
        // The nail, a little lighter.
        Cv2.Circle(Frame, ToPoint(tip + (outward * (width * 0.25))), (int)(width / 4), new Scalar(skin.Val0 + 30, skin.Val1 + 30, skin.Val2 + 30), -1, LineTypes.AntiAlias);
    }

    /// <summary>A small card (a bus pass, a receipt) with no page around it.</summary>
    public void Card(double cx, double cy, double width, double degrees)
    {
        var box = new RotatedRect(new Point2f((float)cx, (float)cy), new Size2f(width, width * 0.63), (float)degrees);
        var points = box.Points().Select(p => new Point((int)p.X, (int)p.Y)).ToArray();
        Cv2.FillConvexPoly(Frame, points, new Scalar(230, 225, 215), LineTypes.AntiAlias);
    }

    public void Dispose() => Frame.Dispose();

    private Point2d Centre() => new(Corners.Average(c => c.X), Corners.Average(c => c.Y));

    private static Point ToPoint(Point2d p) => new((int)Math.Round(p.X), (int)Math.Round(p.Y));

    private void Blend(Mat warped, Mat alpha)
    {
        using var alpha3 = new Mat();
        Cv2.Merge([alpha, alpha, alpha], alpha3);
        using var top = new Mat();
        using var bottom = new Mat();
        warped.ConvertTo(top, MatType.CV_32FC3);
        Frame.ConvertTo(bottom, MatType.CV_32FC3);
        using var inverse = new Mat();
        Cv2.Subtract(Scalar.All(1), alpha3, inverse);
        Cv2.Multiply(top, alpha3, top);
        Cv2.Multiply(bottom, inverse, bottom);
        Cv2.Add(top, bottom, top);
        top.ConvertTo(Frame, MatType.CV_8UC3);
    }
}
