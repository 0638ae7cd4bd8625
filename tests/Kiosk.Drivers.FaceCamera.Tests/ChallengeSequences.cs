using Kiosk.Devices.FaceCamera;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>
/// Synthetic challenge sequences made from one real photograph and the key points BlazeFace finds on it: a head turn (the
/// face given depth and each pixel shifted sideways by its depth, so the nose moves past the eyes as on a turning head), a
/// blink (the eye regions covered with the cheek's skin tone and a lash line for a few frames), and presentation attacks
/// (the same frame repeated, the photograph slid across the frame, the flat photograph turned in perspective). These are
/// not recordings of people: they test the decision logic on real faces, not the rates a real camera would see.
/// </summary>
internal static class ChallengeSequences
{
    /// <summary>The face BlazeFace finds on <paramref name="photo"/> (which must have exactly one, with key points).</summary>
    public static DetectedFace KeyPoints(FaceAnalyzer analyzer, Mat photo)
    {
        var (result, face) = analyzer.AnalyzeFrame(photo);
        Assert.That(face, Is.Not.Null, $"one face on the source photograph: {string.Join("; ", result.Reasons)}");
        Assert.That(face!.HasEyes && face.NoseTip is not null, Is.True, "the source face has eyes and a nose tip");
        return face;
    }

    /// <summary>
    /// The photograph with the face turned by <paramref name="degrees"/> (positive: the person's own left, the nose moving
    /// to the image's right). The head is a paraboloid over an ellipse around the face box with a nose bump at the nose tip
    /// standing about half an eye distance in front of the eyes; each output pixel takes the source pixel whose depth
    /// shift lands on it (x' = x + depth(x, y) * sin(degrees), solved by fixed-point iteration).
    /// </summary>
    public static Mat Turned(Mat photo, DetectedFace face, double degrees)
    {
        var box = face.Box;
        var eyeDistance = face.RightEye!.Value.X - face.LeftEye!.Value.X;
        var nose = face.NoseTip!.Value;
        double cx = box.X + (box.Width / 2.0), cy = box.Y + (box.Height / 2.0);
        double a = 0.65 * box.Width, b = 0.8 * box.Height;
        var headDepth = 0.5 * a;
        var noseHeight = 0.45 * eyeDistance;
        var noseSpread = 0.25 * eyeDistance;
        var sin = Math.Sin(degrees * Math.PI / 180);

        double Depth(double x, double y)
        {
            var u = (((x - cx) / a) * ((x - cx) / a)) + (((y - cy) / b) * ((y - cy) / b));
            var head = u < 1 ? headDepth * (1 - u) : 0;
            var r2 = ((x - nose.X) * (x - nose.X)) + ((y - nose.Y) * (y - nose.Y));
            return head + (noseHeight * Math.Exp(-r2 / (2 * noseSpread * noseSpread)));
        }

        int rows = photo.Rows, cols = photo.Cols;
        using var mapX = new Mat(rows, cols, MatType.CV_32FC1);
        using var mapY = new Mat(rows, cols, MatType.CV_32FC1);
        var xs = new float[cols];
        var ys = new float[cols];
        for (var y = 0; y < rows; y++)
        {
            for (var x = 0; x < cols; x++)
            {
                double source = x;
                for (var i = 0; i < 12; i++)
                {
                    source = x - (Depth(source, y) * sin);
                }

                xs[x] = (float)source;
                ys[x] = y;
            }

            System.Runtime.InteropServices.Marshal.Copy(xs, 0, mapX.Ptr(y), xs.Length);
            System.Runtime.InteropServices.Marshal.Copy(ys, 0, mapY.Ptr(y), ys.Length);
        }

        var turned = new Mat();
        Cv2.Remap(photo, turned, mapX, mapY, InterpolationFlags.Linear, BorderTypes.Replicate);
        return turned;
    }

    /// <summary>
    /// The photograph with the eyes closed by <paramref name="closed"/> (0 open .. 1 shut): each eye's region blended toward
    /// the skin tone of the cheek below it, with a darker lash line across it when shut.
    /// </summary>
    public static Mat Blinking(Mat photo, DetectedFace face, double closed)
    {
        var result = photo.Clone();
        if (closed <= 0)
        {
            return result;
        }

        var eyeDistance = face.RightEye!.Value.X - face.LeftEye!.Value.X;
        foreach (var eye in new[] { face.LeftEye!.Value, face.RightEye!.Value })
        {
            var cheek = new Rect((int)(eye.X - (0.2 * eyeDistance)), (int)(eye.Y + (0.3 * eyeDistance)), (int)(0.4 * eyeDistance), (int)Math.Max(2, 0.12 * eyeDistance));
            var skin = Cv2.Mean(new Mat(photo, cheek));
            using var lid = result.Clone();
            var centre = new Point((int)Math.Round(eye.X), (int)Math.Round(eye.Y));
            var axes = new Size((int)Math.Round(0.3 * eyeDistance), (int)Math.Round(0.16 * eyeDistance));
            Cv2.Ellipse(lid, centre, axes, 0, 0, 360, skin, -1, LineTypes.AntiAlias);
            if (closed >= 1)
            {
                var lash = new Scalar(skin.Val0 * 0.55, skin.Val1 * 0.55, skin.Val2 * 0.55);
                Cv2.Ellipse(lid, centre + new Point(0, (int)(0.04 * eyeDistance)), new Size(axes.Width, Math.Max(1, axes.Height / 3)), 0, 10, 170, lash, Math.Max(1, (int)(eyeDistance / 25)), LineTypes.AntiAlias);
            }

            using var soft = new Mat();
            Cv2.GaussianBlur(lid, soft, new Size(3, 3), 0);
            Cv2.AddWeighted(result, 1 - closed, soft, closed, 0, result);
        }

        return result;
    }

    /// <summary>
    /// The flat photograph turned by <paramref name="degrees"/> about a vertical line through the face, seen by a pinhole
    /// camera (a perspective warp): a printed photo held up and turned. A flat face has no depth, so the nose stays between the eyes.
    /// </summary>
    public static Mat PhotoTurned(Mat photo, DetectedFace face, double degrees)
    {
        var box = face.Box;
        double cx = box.X + (box.Width / 2.0), cy = box.Y + (box.Height / 2.0);
        var focal = 1.5 * photo.Width;
        var angle = degrees * Math.PI / 180;
        Point2f Project(double x, double y)
        {
            var dx = (x - cx) * Math.Cos(angle);
            var dz = (x - cx) * Math.Sin(angle);
            var scale = focal / (focal + dz);
            return new Point2f((float)(cx + (dx * scale)), (float)(cy + ((y - cy) * scale)));
        }

        Point2f[] corners = [new(0, 0), new(photo.Width, 0), new(photo.Width, photo.Height), new(0, photo.Height)];
        var moved = corners.Select(c => Project(c.X, c.Y)).ToArray();
        using var homography = Cv2.GetPerspectiveTransform(corners, moved);
        var warped = new Mat();
        Cv2.WarpPerspective(photo, warped, homography, photo.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        return warped;
    }

    /// <summary>A live person's small sway on top of a frame: a pixel or two, different every frame.</summary>
    public static Mat Swayed(Mat frame, int index) => Photos.Moved(frame, index % 2 == 0 ? 1 : -1, index % 3 == 0 ? 1 : 0, 1, index % 2);

    /// <summary>Looks at the person for <paramref name="frontal"/> frames, turns to <paramref name="peak"/> degrees and back.</summary>
    public static IReadOnlyList<Mat> HeadTurn(Mat photo, DetectedFace face, double peak, int frontal = 4)
    {
        var steps = new[] { 0.0, 0.2, 0.45, 0.7, 0.9, 1.0, 0.9, 0.6, 0.3, 0.0 };
        var frames = new List<Mat>();
        for (var i = 0; i < frontal; i++)
        {
            frames.Add(Swayed(photo, i));
        }

        foreach (var step in steps)
        {
            using var turned = Turned(photo, face, peak * step);
            frames.Add(Swayed(turned, frames.Count));
        }

        return frames;
    }

    /// <summary>Eyes open for a few frames, one blink (half, shut, shut, half), open again.</summary>
    public static IReadOnlyList<Mat> Blink(Mat photo, DetectedFace face)
    {
        var closing = new[] { 0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 0.5, 0.0, 0.0, 0.0 };
        return closing.Select((c, i) =>
        {
            using var eyes = Blinking(photo, face, c);
            return Swayed(eyes, i);
        }).ToList();
    }

    /// <summary>A printed photograph slid across the camera's view, <paramref name="step"/> pixels a frame.</summary>
    public static IReadOnlyList<Mat> Slid(Mat photo, int count, double step) =>
        Enumerable.Range(0, count).Select(i => Photos.Moved(photo, (i - (count / 2)) * step, 0)).ToList();

    /// <summary>The flat photograph turned in perspective from 0 to <paramref name="peak"/> degrees and back.</summary>
    public static IReadOnlyList<Mat> PhotoTurn(Mat photo, DetectedFace face, double peak)
    {
        var steps = new[] { 0.0, 0.0, 0.0, 0.2, 0.45, 0.7, 0.9, 1.0, 0.9, 0.6, 0.3, 0.0 };
        return steps.Select(s => PhotoTurned(photo, face, peak * s)).ToList();
    }
}
