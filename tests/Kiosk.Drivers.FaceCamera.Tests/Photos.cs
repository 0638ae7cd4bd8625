using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>Frames made from the real test photographs: shifted, brightened, blurred, side by side, and written as image sequences.</summary>
internal static class Photos
{
    public static Mat Load(string name) => Cv2.ImRead(RepositoryPaths.TestDataFile(name), ImreadModes.Color);

    /// <summary>The photograph moved by (dx, dy) pixels, scaled and brightened (edges replicated): a person moving slightly.</summary>
    public static Mat Moved(Mat photo, double dx, double dy, double scale = 1, double brighten = 0)
    {
        using var transform = Cv2.GetRotationMatrix2D(new Point2f(photo.Width / 2f, photo.Height / 2f), 0, scale);
        transform.Set(0, 2, transform.At<double>(0, 2) + dx);
        transform.Set(1, 2, transform.At<double>(1, 2) + dy);
        var moved = new Mat();
        Cv2.WarpAffine(photo, moved, transform, photo.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        if (brighten != 0)
        {
            moved.ConvertTo(moved, -1, 1, brighten);
        }

        return moved;
    }

    public static Mat Blurred(Mat photo, int kernel)
    {
        var blurred = new Mat();
        Cv2.GaussianBlur(photo, blurred, new Size(kernel, kernel), 0);
        return blurred;
    }

    /// <summary>Two photographs side by side (two people at the kiosk).</summary>
    public static Mat SideBySide(Mat left, Mat right)
    {
        var both = new Mat();
        Cv2.HConcat([left, right], both);
        return both;
    }

    /// <summary>The photograph centred on a grey canvas of the given size (a 640x480 camera frame).</summary>
    public static Mat OnCanvas(Mat photo, int width, int height)
    {
        var canvas = new Mat(height, width, MatType.CV_8UC3, new Scalar(128, 128, 128));
        var w = Math.Min(photo.Width, width);
        var h = Math.Min(photo.Height, height);
        using var source = new Mat(photo, new Rect((photo.Width - w) / 2, (photo.Height - h) / 2, w, h));
        using var target = new Mat(canvas, new Rect((width - w) / 2, (height - h) / 2, w, h));
        source.CopyTo(target);
        return canvas;
    }

    /// <summary>A person standing in front of the camera: the photograph moving by a pixel or two per frame.</summary>
    public static IReadOnlyList<Mat> LiveBurst(Mat photo, int count) =>
        Enumerable.Range(0, count).Select(i => Moved(photo, i % 2 == 0 ? i : -i, i % 3, 1, i % 2)).ToList();

    /// <summary>A still picture: the same frame repeated.</summary>
    public static IReadOnlyList<Mat> StillBurst(Mat photo, int count) =>
        Enumerable.Range(0, count).Select(_ => photo.Clone()).ToList();

    /// <summary>Writes the frames as frame_000.png, frame_001.png... and returns the OpenCV sequence pattern.</summary>
    public static string WriteSequence(string folder, IReadOnlyList<Mat> frames)
    {
        foreach (var old in Directory.GetFiles(folder, "frame_*.png"))
        {
            File.Delete(old);
        }

        for (var i = 0; i < frames.Count; i++)
        {
            Cv2.ImWrite(Path.Combine(folder, $"frame_{i:000}.png"), frames[i]);
        }

        return Path.Combine(folder, "frame_%03d.png");
    }

    public static void DisposeAll(IEnumerable<Mat> frames)
    {
        foreach (var frame in frames)
        {
            frame.Dispose();
        }
    }
}
