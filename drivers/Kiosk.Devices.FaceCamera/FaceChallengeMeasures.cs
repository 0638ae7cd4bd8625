using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// The two per-frame measures an active liveness challenge is decided on, from the key points of one face.
/// </summary>
internal static class FaceChallengeMeasures
{
    // The nose tip stands in front of the eye centres by about half the distance between them (adult anthropometry:
    // interpupillary distance about 63 mm, pupil-to-nose-tip depth about 30 mm). A head turned by yaw moves the tip
    // off the eye midpoint by depth*sin(yaw) while the eye distance shrinks to distance*cos(yaw), so
    // offset / eye distance = 0.5 * tan(yaw). A rough estimate for deciding a turn, not a 3D pose.
    private const double NoseDepthToEyeDistance = 0.5;

    // An eye patch around the eye centre: an eye is about 0.45 of the eye distance wide and its iris about 0.19 high
    // (iris 12 mm, interpupillary distance 63 mm); the patch stays below the eyebrow (about 0.3 above the eye centre).
    private const double PatchWidth = 0.5;
    private const double PatchHeight = 0.36;

    // Darker than this fraction of the patch's median (the skin around the eye) is iris, pupil or lash line.
    private const double DarkFraction = 0.7;

    // A patch this small carries no usable shape (a face far back): openness is not measured.
    private const int SmallestPatch = 8;

    /// <summary>
    /// Yaw in degrees from the nose tip's offset from the eye midpoint along the eye line (so a tilted head does not read as
    /// turned), positive when the nose moves to the image's right: the person turning to their own left. Null without
    /// eyes or nose tip (the cascades give no nose).
    /// </summary>
    public static double? YawDegrees(DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(face);
        if (face is not { LeftEye: { } left, RightEye: { } right, NoseTip: { } nose })
        {
            return null;
        }

        var eyeX = right.X - left.X;
        var eyeY = right.Y - left.Y;
        var distance = Math.Sqrt((eyeX * eyeX) + (eyeY * eyeY));
        if (distance < 1)
        {
            return null;
        }

        var offset = (((nose.X - ((left.X + right.X) / 2)) * eyeX) + ((nose.Y - ((left.Y + right.Y) / 2)) * eyeY)) / distance;
        return Math.Atan(offset / distance / NoseDepthToEyeDistance) * 180 / Math.PI;
    }

    /// <summary>
    /// How open the eyes look, as the eye aspect ratio is without eyelid landmarks: in a patch at each eye centre, the
    /// tallest column of dark pixels (darker than <see cref="DarkFraction"/> of the patch's median) among the middle half of
    /// the columns, over the patch height, averaged over both eyes. An open eye has a dark iris and pupil about a fifth of
    /// the eye distance tall; a closed lid leaves only the lash line, a few pixels. The value only means something relative
    /// to the same person's other frames. Null when an eye is missing, outside the frame or too small.
    /// </summary>
    public static double? EyeOpenness(Mat grey, Point2d leftEye, Point2d rightEye)
    {
        ArgumentNullException.ThrowIfNull(grey);
        var dx = rightEye.X - leftEye.X;
        var dy = rightEye.Y - leftEye.Y;
        var distance = Math.Sqrt((dx * dx) + (dy * dy));
        var width = (int)Math.Round(distance * PatchWidth);
        var height = (int)Math.Round(distance * PatchHeight);
        if (height < SmallestPatch)
        {
            return null;
        }

        var frame = new Rect(0, 0, grey.Width, grey.Height);
        var pixels = new byte[width * height];
        var histogram = new int[256];
        var total = 0.0;
        foreach (var eye in new[] { leftEye, rightEye })
        {
            var patch = new Rect((int)Math.Round(eye.X - (width / 2.0)), (int)Math.Round(eye.Y - (height / 2.0)), width, height);
            if (patch.Intersect(frame) != patch)
            {
                return null;
            }

            using (var crop = new Mat(grey, patch))
            {
                for (var y = 0; y < height; y++)
                {
                    System.Runtime.InteropServices.Marshal.Copy(crop.Ptr(y), pixels, y * width, width);
                }
            }

            Array.Clear(histogram);
            foreach (var p in pixels)
            {
                histogram[p]++;
            }

            var median = 0;
            for (var seen = 0; median < 255 && (seen += histogram[median]) < pixels.Length / 2; median++)
            {
            }

            var dark = DarkFraction * median;
            var tallest = 0;
            for (var x = width / 4; x < width - (width / 4); x++)
            {
                var count = 0;
                for (var y = 0; y < height; y++)
                {
                    if (pixels[(y * width) + x] < dark)
                    {
                        count++;
                    }
                }

                tallest = Math.Max(tallest, count);
            }

            total += (double)tallest / height;
        }

        return total / 2;
    }
}
