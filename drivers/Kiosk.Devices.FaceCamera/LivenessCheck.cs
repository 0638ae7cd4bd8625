using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// A weak presentation-attack check: a live person in front of a camera moves a little between frames
/// (blinks, breathing, small head motion); a still picture (a photograph held still, or a frozen/repeated
/// frame) does not. Measures the mean absolute grey-level change inside the face box between consecutive
/// frames of a burst, after a Gaussian blur that removes most sensor noise. It does NOT stop a replayed
/// video, a moving or bent printed photo, a screen, or a mask (see the README, ISO/IEC 30107-1 terms).
/// </summary>
internal static class LivenessCheck
{
    // 5x5 Gaussian: enough to flatten per-pixel sensor noise (about 1-2 grey levels on webcams) so that
    // a photograph held perfectly still does not pass on noise alone.
    private static readonly Size NoiseBlur = new(5, 5);

    /// <summary>The largest frame-to-frame change inside <paramref name="faceBox"/>; passed when it reaches <paramref name="minMotion"/>.</summary>
    public static (bool Passed, double Motion) Evaluate(IReadOnlyList<Mat> greyFrames, Rect faceBox, double minMotion)
    {
        ArgumentNullException.ThrowIfNull(greyFrames);
        if (greyFrames.Count < 2)
        {
            return (false, 0);
        }

        var region = faceBox.Intersect(new Rect(0, 0, greyFrames[0].Width, greyFrames[0].Height));
        if (region.Width <= 0 || region.Height <= 0)
        {
            return (false, 0);
        }

        var motion = 0.0;
        using var previous = new Mat();
        using var current = new Mat();
        using var difference = new Mat();
        Blur(greyFrames[0], region, previous);
        for (var i = 1; i < greyFrames.Count; i++)
        {
            Blur(greyFrames[i], region, current);
            Cv2.Absdiff(previous, current, difference);
            motion = Math.Max(motion, Cv2.Mean(difference).Val0);
            current.CopyTo(previous);
        }

        return (motion >= minMotion, Math.Round(motion, 2));
    }

    private static void Blur(Mat grey, Rect region, Mat output)
    {
        using var crop = new Mat(grey, region);
        Cv2.GaussianBlur(crop, output, NoiseBlur, 0);
    }
}
