using OpenCvSharp;

namespace Kiosk.FaceEvalSet;

/// <summary>A composed frame and its truth: faces to be found, and faces cut by the frame edge or too small that a detector may or may not find.</summary>
internal sealed class Frame(Mat image, IReadOnlyList<Rect> faces, IReadOnlyList<Rect> ignore) : IDisposable
{
    // A face at least this much inside the frame must be found; one less inside than this but partly in it is
    // neither required nor a false positive when found (WIDER FACE treats its hard cases the same way).
    public const double VisibleToCount = 0.6;
    public const int SmallestCountedFace = 24;

    public Mat Image { get; } = image;

    public IReadOnlyList<Rect> Faces { get; } = faces;

    public IReadOnlyList<Rect> Ignore { get; } = ignore;

    /// <summary>
    /// The photograph scaled by <paramref name="scale"/> and placed so that its pixel <paramref name="anchor"/> lands on
    /// <paramref name="at"/> of a <paramref name="width"/>x<paramref name="height"/> frame over <paramref name="background"/>;
    /// the faces of <paramref name="photoFaces"/> follow it.
    /// </summary>
    public static Frame Place(Mat photo, IReadOnlyList<Rect> photoFaces, double scale, Point2d anchor, Point2d at, int width, int height, Mat background)
    {
        using var scaled = new Mat();
        Cv2.Resize(photo, scaled, new Size(Math.Max(1, (int)Math.Round(photo.Width * scale)), Math.Max(1, (int)Math.Round(photo.Height * scale))), 0, 0,
            scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Cubic);
        var offsetX = (int)Math.Round(at.X - (anchor.X * scale));
        var offsetY = (int)Math.Round(at.Y - (anchor.Y * scale));
        var image = new Mat();
        Cv2.Resize(background, image, new Size(width, height));
        var target = new Rect(0, 0, width, height).Intersect(new Rect(offsetX, offsetY, scaled.Width, scaled.Height));
        if (target.Width > 0 && target.Height > 0)
        {
            using var from = new Mat(scaled, new Rect(target.X - offsetX, target.Y - offsetY, target.Width, target.Height));
            using var to = new Mat(image, target);
            from.CopyTo(to);
        }

        var faces = new List<Rect>();
        var ignore = new List<Rect>();
        foreach (var face in photoFaces)
        {
            var box = new Rect(
                (int)Math.Round((face.X * scale) + offsetX), (int)Math.Round((face.Y * scale) + offsetY),
                (int)Math.Round(face.Width * scale), (int)Math.Round(face.Height * scale));
            var inside = box.Intersect(target);
            if (inside.Width <= 0 || inside.Height <= 0)
            {
                continue;
            }

            var visible = (double)inside.Width * inside.Height / ((double)box.Width * box.Height);
            (visible >= VisibleToCount && box.Width >= SmallestCountedFace ? faces : ignore).Add(inside);
        }

        return new Frame(image, faces, ignore);
    }

    /// <summary>Two frames side by side (two people at the kiosk).</summary>
    public static Frame SideBySide(Frame left, Frame right)
    {
        var image = new Mat();
        Cv2.HConcat([left.Image, right.Image], image);
        Rect Shift(Rect r) => new(r.X + left.Image.Width, r.Y, r.Width, r.Height);
        return new Frame(image, [.. left.Faces, .. right.Faces.Select(Shift)], [.. left.Ignore, .. right.Ignore.Select(Shift)]);
    }

    public Frame With(Mat image) => new(image, Faces, Ignore);

    public void Dispose() => Image.Dispose();
}
