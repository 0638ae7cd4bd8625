using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Cuts a grey, upright, fixed-size face crop for comparison: with both eyes found, a similarity
/// transform puts them at fixed points (roll removed, eye distance normalised); otherwise the face box is
/// scaled. The histogram is equalised so that lighting differences weigh less in the comparison.
/// </summary>
internal static class FaceAligner
{
    public const int Side = 128;

    // Eye positions in the crop: 0.3 and 0.7 of the width, 0.4 of the height from the top, close to the
    // ISO/IEC 19794-5 token image (eyes on a line about 0.4 down, about 0.4 of the width apart).
    private const double EyeRow = 0.4;
    private const double EyeSpan = 0.4;

    public static Mat Align(Mat grey, DetectedFace face)
    {
        var aligned = new Mat();
        if (face is { LeftEye: { } left, RightEye: { } right })
        {
            var dx = right.X - left.X;
            var dy = right.Y - left.Y;
            var angle = Math.Atan2(dy, dx) * 180 / Math.PI;
            var scale = EyeSpan * Side / Math.Sqrt((dx * dx) + (dy * dy));
            var middle = new Point2f((float)((left.X + right.X) / 2), (float)((left.Y + right.Y) / 2));
            using var transform = Cv2.GetRotationMatrix2D(middle, angle, scale);
            transform.Set(0, 2, transform.At<double>(0, 2) + (Side / 2.0) - middle.X);
            transform.Set(1, 2, transform.At<double>(1, 2) + (EyeRow * Side) - middle.Y);
            Cv2.WarpAffine(grey, aligned, transform, new Size(Side, Side), InterpolationFlags.Linear, BorderTypes.Replicate);
        }
        else
        {
            using var crop = new Mat(grey, face.Box);
            Cv2.Resize(crop, aligned, new Size(Side, Side), 0, 0, InterpolationFlags.Area);
        }

        Cv2.EqualizeHist(aligned, aligned);
        return aligned;
    }
}
