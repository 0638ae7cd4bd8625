namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// What a person should do next, from the analysis the capture already made of a frame (its verdict and failed gates):
/// the hint of a preview frame. One hint per frame, the first that applies, in the order a person can act on them:
/// light (a dark face measures badly on every other gate), then distance, then pose and focus.
/// </summary>
internal static class FaceHints
{
    /// <summary>Gates a person fixes by facing the camera squarely and keeping still.</summary>
    private const QualityGate FaceTheCamera = QualityGate.HeadTurned | QualityGate.HeadTilted | QualityGate.NotSharp
        | QualityGate.EyesNotFound | QualityGate.NotCentred | QualityGate.TooHighOrLow;

    public static FaceHint For(FaceAnalysisResult analysis, FaceCameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        switch (analysis.Verdict)
        {
            case FaceVerdict.MultipleFaces:
                return FaceHint.OneFaceOnly;
            case FaceVerdict.NoFace or FaceVerdict.Unreadable:
                // The cascade finds no face in a dark room either: there, light is what is missing.
                return analysis.FrameBrightness < options.MinBrightness ? FaceHint.MoreLight : FaceHint.NoFace;
            case FaceVerdict.Accepted:
                return FaceHint.HoldStill;
        }

        var failed = analysis.FailedGates;
        if (failed.HasFlag(QualityGate.TooDark))
        {
            return FaceHint.MoreLight;
        }

        if ((failed & (QualityGate.FaceTooSmall | QualityGate.EyesTooClose)) != 0)
        {
            return FaceHint.MoveCloser;
        }

        if (failed.HasFlag(QualityGate.FaceTooLarge))
        {
            return FaceHint.MoveBack;
        }

        // Too bright or low contrast alone: nothing the person can do about it; the best frame of the burst is taken.
        return (failed & FaceTheCamera) != 0 ? FaceHint.LookAtCamera : FaceHint.HoldStill;
    }
}
