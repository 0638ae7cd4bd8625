using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>The raw measures of one face in a grey image (ISO/IEC 29794-5 style: sharpness, illumination, pose, geometry).</summary>
internal readonly record struct FaceMeasures(
    int FaceWidth, int EyeDistance, bool EyesFound, double LaplacianVariance, double Brightness, double Contrast,
    double RollDegrees, double YawDegrees, double CentreOffsetX, double CentreOffsetY, double FaceWidthFraction)
{
    // Sharpness is measured at a fixed face width so that a near face and a far face of the same
    // focus score alike (the variance of the Laplacian grows with the pixel count of edges).
    private const int SharpnessWidth = 160;

    // ISO/IEC 19794-5 token geometry: the inter-eye distance is about 0.4 of the face width; used only
    // when the eye cascade finds no pair, so the capture still states a plausible eye distance.
    private const double EyeDistanceToFaceWidth = 0.4;

    public static FaceMeasures Of(Mat grey, DetectedFace face)
    {
        var box = face.Box;
        using var crop = new Mat(grey, box);
        Cv2.MeanStdDev(crop, out var mean, out var deviation);

        using var scaled = new Mat();
        Cv2.Resize(crop, scaled, new Size(SharpnessWidth, (int)Math.Round(SharpnessWidth * (double)box.Height / box.Width)), 0, 0, InterpolationFlags.Area);
        using var laplacian = new Mat();
        Cv2.Laplacian(scaled, laplacian, MatType.CV_64F);
        Cv2.MeanStdDev(laplacian, out _, out var edge);

        double roll = 0, yaw = 0;
        int eyeDistance;
        if (face is { LeftEye: { } left, RightEye: { } right })
        {
            var dx = right.X - left.X;
            var dy = right.Y - left.Y;
            eyeDistance = (int)Math.Round(Math.Sqrt((dx * dx) + (dy * dy)));
            roll = Math.Atan2(dy, dx) * 180 / Math.PI;
            // A turned head moves the eye midpoint off the centre of the face box; with the head as a
            // cylinder of radius half the box width, the shift is r*sin(yaw). A rough estimate, not a 3D pose.
            var shift = ((left.X + right.X) / 2 - (box.X + (box.Width / 2.0))) / (box.Width / 2.0);
            yaw = Math.Asin(Math.Clamp(shift, -1, 1)) * 180 / Math.PI;
        }
        else
        {
            eyeDistance = (int)Math.Round(box.Width * EyeDistanceToFaceWidth);
        }

        var offsetX = Math.Abs(box.X + (box.Width / 2.0) - (grey.Width / 2.0)) / grey.Width;
        var offsetY = Math.Abs(box.Y + (box.Height / 2.0) - (grey.Height / 2.0)) / grey.Height;
        return new FaceMeasures(
            box.Width, eyeDistance, face.HasEyes, edge.Val0 * edge.Val0, mean.Val0 / 255, deviation.Val0 / 255,
            roll, yaw, offsetX, offsetY, (double)box.Width / grey.Width);
    }
}
