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

    /// <summary>Glare: the share of saturated pixels.</summary>
    public static double Glare(Mat gray)
    {
        using var saturated = new Mat();
        Cv2.Threshold(gray, saturated, Saturated - 1, 255, ThresholdTypes.Binary);
        return Cv2.CountNonZero(saturated) / (double)(gray.Width * gray.Height);
    }
}
