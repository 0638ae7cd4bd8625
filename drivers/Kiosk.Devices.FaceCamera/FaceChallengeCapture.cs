using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// A capture with an active liveness challenge: reads frames one at a time (up to
/// <see cref="FaceCameraOptions.ChallengeFrames"/>, or until the source ends), analyses each as a burst does, lets
/// <see cref="FaceChallengeTracker"/> follow the challenge, and stops as soon as it is decided. The capture is the best
/// single-face frame that faced the camera (turn) or had the eyes open (blink), chosen by the burst's rule; when no frame
/// qualified, the best single-face frame. Only that one frame is kept besides the frame being read, so a long window
/// costs no memory. <see cref="FaceQuality.LivenessPassed"/> is the challenge's outcome.
/// </summary>
internal static class FaceChallengeCapture
{
    /// <summary>Reads frame <paramref name="index"/> into <paramref name="frame"/>; false at the end of a recording, or with the failure that ends the capture.</summary>
    public delegate bool FrameReader(Mat frame, int index, out DeviceResult<FaceCapture>? failure);

    public static DeviceResult<FaceCapture> Run(
        FaceChallenge challenge, FrameReader read, FaceAnalyzer analyzer, FaceCameraOptions options,
        FacePreviewFeed? preview, CancellationToken cancellationToken)
    {
        var tracker = new FaceChallengeTracker(challenge, options);
        var results = new List<FaceAnalysisResult>();
        Candidate? best = null;
        Size? size = null;
        try
        {
            for (var i = 0; i < options.ChallengeFrames && !tracker.IsDecided; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var frame = new Mat();
                if (!read(frame, i, out var failure))
                {
                    frame.Dispose();
                    if (failure is null)
                    {
                        break;
                    }

                    return failure;
                }

                size ??= frame.Size();
                if (frame.Size() != size)
                {
                    frame.Dispose();
                    return DeviceResult<FaceCapture>.Failure(CompletionCode.InvalidData, "frames of a capture differ in size (corrupt stream)", "frame size");
                }

                var (result, face) = analyzer.AnalyzeFrame(frame);
                results.Add(result);
                preview?.Offer(frame, result);
                using var grey = FaceAnalyzer.TryToGrey(frame);
                var eligible = grey is not null && tracker.Observe(grey, face);
                if (face is not null && Better(result, eligible, best))
                {
                    best?.Frame.Dispose();
                    best = new Candidate(result, eligible, frame);
                }
                else
                {
                    frame.Dispose();
                }
            }

            if (best is null)
            {
                return results.Count == 0
                    ? DeviceResult<FaceCapture>.Failure(CompletionCode.InvalidData, "no frame to look at", "corrupt frame")
                    : FaceBurst.NoSingleFace(results);
            }

            var outcome = tracker.Outcome();
            var quality = FaceBurst.QualityOf(best.Result) with { LivenessPassed = outcome.Done, Challenge = outcome };
            return DeviceResult<FaceCapture>.Success(new FaceCapture(FaceBurst.Encode(best.Frame, options.JpegQuality), quality));
        }
        finally
        {
            best?.Frame.Dispose();
        }
    }

    /// <summary>An eligible frame beats one that is not; then the burst's order: score, fewer failed gates, sharpness.</summary>
    private static bool Better(FaceAnalysisResult result, bool eligible, Candidate? best)
    {
        if (best is null || eligible != best.Eligible)
        {
            return best is null || eligible;
        }

        return result.Score != best.Result.Score ? result.Score > best.Result.Score
            : result.Reasons.Count != best.Result.Reasons.Count ? result.Reasons.Count < best.Result.Reasons.Count
            : result.Sharpness > best.Result.Sharpness;
    }

    private sealed record Candidate(FaceAnalysisResult Result, bool Eligible, Mat Frame);
}
