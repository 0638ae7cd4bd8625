using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Picks the best frame of a burst and turns it into a <see cref="FaceCapture"/>: frames with exactly
/// one face compete on the quality score; the liveness check looks at the best frame's face box across
/// all frames; the winner is JPEG-encoded. Failures come back as completion codes, not exceptions.
/// When a listener wants previews, each frame is offered to its <see cref="FacePreviewFeed"/> with the analysis just made.
/// </summary>
internal static class FaceBurst
{
    public const string TwoFaces = "two faces";

    public static DeviceResult<FaceCapture> Evaluate(IReadOnlyList<Mat> frames, FaceAnalyzer analyzer, FaceCameraOptions options, FacePreviewFeed? preview, CancellationToken cancellationToken)
    {
        var first = frames[0];
        if (frames.Any(f => f.Size() != first.Size() || f.Type() != first.Type()))
        {
            return DeviceResult<FaceCapture>.Failure(CompletionCode.InvalidData, "frames of a burst differ in size or format (corrupt stream)", "frame size");
        }

        var analyses = new List<(FaceAnalysisResult Result, DetectedFace? Face, Mat Frame)>(frames.Count);
        foreach (var frame in frames)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (result, face) = analyzer.AnalyzeFrame(frame);
            analyses.Add((result, face, frame));
            preview?.Offer(frame, result);
        }

        var singles = analyses.Where(a => a.Face is not null).ToList();
        if (singles.Count == 0)
        {
            return NoSingleFace(analyses.Select(a => a.Result).ToList());
        }

        // Failed frames share the capped score, so fewer failed gates, then sharpness, break the tie.
        var best = singles
            .OrderByDescending(a => a.Result.Score)
            .ThenBy(a => a.Result.Reasons.Count)
            .ThenByDescending(a => a.Result.Sharpness)
            .First();
        var greys = new List<Mat>(frames.Count);
        try
        {
            foreach (var a in analyses.Where(a => a.Result.Verdict != FaceVerdict.Unreadable))
            {
                greys.Add(FaceAnalyzer.TryToGrey(a.Frame)!);
            }

            var (live, _) = LivenessCheck.Evaluate(greys, best.Face!.Box, options.MinLivenessMotion);
            var image = Encode(best.Frame, options.JpegQuality);
            var quality = QualityOf(best.Result) with { LivenessPassed = live };
            return DeviceResult<FaceCapture>.Success(new FaceCapture(image, quality));
        }
        finally
        {
            greys.ForEach(g => g.Dispose());
        }
    }

    /// <summary>The quality of a single-face frame's analysis (liveness not yet decided).</summary>
    public static FaceQuality QualityOf(FaceAnalysisResult r) => new()
    {
        FaceCount = 1,
        FaceWidth = r.FaceWidth,
        EyeDistance = Math.Clamp(r.EyeDistance, 1, r.FaceWidth),
        Sharpness = r.Sharpness,
        Brightness = r.Brightness,
        YawDegrees = r.YawDegrees,
        Score = r.Score,
    };

    public static DeviceResult<FaceCapture> NoSingleFace(List<FaceAnalysisResult> results)
    {
        if (results.Any(r => r.Verdict == FaceVerdict.MultipleFaces))
        {
            var most = results.Max(r => r.Faces.Count);
            return DeviceResult<FaceCapture>.Failure(CompletionCode.UserError, $"two faces in the picture ({most} found); only one person may stand at the kiosk", TwoFaces);
        }

        if (results.Any(r => r.Verdict == FaceVerdict.NoFace))
        {
            return DeviceResult<FaceCapture>.Failure(CompletionCode.NoMedia, "no face in front of the camera", "no face");
        }

        return DeviceResult<FaceCapture>.Failure(CompletionCode.InvalidData, "no usable frame: " + results[0].Reasons[0], "corrupt frame");
    }

    public static CapturedImage Encode(Mat frame, int jpegQuality)
    {
        using var bgr = new Mat();
        if (frame.Channels() == 4)
        {
            Cv2.CvtColor(frame, bgr, ColorConversionCodes.BGRA2BGR);
        }
        else
        {
            frame.CopyTo(bgr);
        }

        Cv2.ImEncode(".jpg", bgr, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, jpegQuality));
        return new CapturedImage(jpeg, "image/jpeg", frame.Width, frame.Height);
    }
}
