using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// Quality measures of a corrected page, each 0..1 with 0 = none (ISO/IEC 29794 spirit: a score, not a verdict).
/// </summary>
internal static class PageQuality
{
    /// <summary>
    /// Laplacian variance at which blur scores 0.5. Sharp printed text at 150-300 dpi measures in the
    /// hundreds to thousands; a page out of focus by a few pixels drops below 50 (Pech-Pacheco et al., 2000).
    /// </summary>
    internal const double HalfBlurVariance = 100;

    /// <summary>Grey level counted as saturated: specular glare clips the sensor at (or next to) 255.</summary>
    private const byte Saturated = 250;

    /// <summary>Blur from the variance of the Laplacian: k / (k + variance), so a sharp page tends to 0.</summary>
    public static double Blur(Mat gray)
    {
        using var laplacian = new Mat();
        Cv2.Laplacian(gray, laplacian, MatType.CV_64F);
        Cv2.MeanStdDev(laplacian, out _, out var deviation);
        var variance = deviation.Val0 * deviation.Val0;
        return HalfBlurVariance / (HalfBlurVariance + variance);
    }

    /// <summary>Share of the page outline pulled in towards its centre, so the page's own edge against the desk is not counted as sharpness.</summary>
    private const double PageInset = 0.03;

    /// <summary>Blur and glare of the page inside <paramref name="corners"/> of the grey frame, at the camera's own sampling.</summary>
    public static (double Blur, double Glare) OfPage(Mat gray, Point2f[] corners)
    {
        var cx = corners.Average(c => c.X);
        var cy = corners.Average(c => c.Y);
        var inner = corners.Select(c => new Point2f((float)(c.X + ((cx - c.X) * PageInset * 2)), (float)(c.Y + ((cy - c.Y) * PageInset * 2)))).ToArray();
        var box = Cv2.BoundingRect(inner) & new Rect(0, 0, gray.Width, gray.Height);
        if (box.Width < 3 || box.Height < 3)
        {
            return (Blur(gray), Glare(gray));
        }

        using var region = new Mat(gray, box);
        using var mask = new Mat(box.Size, MatType.CV_8UC1, Scalar.All(0));
        Cv2.FillConvexPoly(mask, inner.Select(p => new Point((int)Math.Round(p.X) - box.X, (int)Math.Round(p.Y) - box.Y)), Scalar.All(255));
        using var laplacian = new Mat();
        Cv2.Laplacian(region, laplacian, MatType.CV_32F);
        Cv2.MeanStdDev(laplacian, out _, out var deviation, mask);
        var variance = deviation.Val0 * deviation.Val0;
        using var saturated = new Mat();
        Cv2.Threshold(region, saturated, Saturated - 1, 255, ThresholdTypes.Binary);
        Cv2.BitwiseAnd(saturated, mask, saturated);
        var area = Math.Max(1, Cv2.CountNonZero(mask));
        return (HalfBlurVariance / (HalfBlurVariance + variance), Cv2.CountNonZero(saturated) / (double)area);
    }

    /// <summary>Glare: the share of saturated pixels.</summary>
    public static double Glare(Mat gray)
    {
        using var saturated = new Mat();
        Cv2.Threshold(gray, saturated, Saturated - 1, 255, ThresholdTypes.Binary);
        return Cv2.CountNonZero(saturated) / (double)(gray.Width * gray.Height);
    }
}
