using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Analyses one image: detects faces, measures the single face against the quality gates of
/// <see cref="FaceCameraOptions"/> and returns boxes, measures, score, verdict and reasons.
/// Used per frame by <see cref="OpenCvFaceCamera"/> and on its own by <c>kioskctl capture face --image</c>.
/// Thread safety: all members may be called from any thread; detection is serialised (cascades and the ONNX session's buffers are not shared safely).
/// </summary>
public sealed class FaceAnalyzer : IDisposable
{
    // A frame whose grey levels barely vary is no picture at all: a dropped USB transfer (all-zero YUV
    // shows as uniform green), a covered lens or a dead sensor. Even a blank wall has more noise than this.
    private const double BlankFrameDeviation = 1.0;

    private readonly FaceCameraOptions _options;
    private readonly IFaceDetector _detector;
    private readonly Lock _detectorGate = new();

    public FaceAnalyzer(FaceCameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalidForAnalysis();
        _options = options;
        _detector = FaceDetectors.Create(options);
    }

    internal FaceAnalyzer(FaceCameraOptions options, IFaceDetector detector)
    {
        _options = options;
        _detector = detector;
    }

    /// <summary>Analyses an encoded image (PNG, JPEG, BMP...). Bytes that do not decode give <see cref="FaceVerdict.Unreadable"/>.</summary>
    public FaceAnalysisResult Analyze(ReadOnlySpan<byte> encoded)
    {
        using var image = encoded.IsEmpty ? new Mat() : Cv2.ImDecode(encoded.ToArray(), ImreadModes.Color);
        return Analyze(image);
    }

    /// <summary>Analyses a decoded 8-bit image (grey, BGR or BGRA).</summary>
    public FaceAnalysisResult Analyze(Mat image) => AnalyzeFrame(image).Result;

    /// <summary>The analysis with the detected face (eyes included) for the matcher and the camera.</summary>
    internal (FaceAnalysisResult Result, DetectedFace? Face) AnalyzeFrame(Mat image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var grey = TryToGrey(image);
        if (grey is null)
        {
            return (Unreadable(image, "not an image: empty, or not 8-bit grey/BGR/BGRA") with { Detector = _options.Detector }, null);
        }

        Cv2.MeanStdDev(grey, out var mean, out var deviation);
        var frameBrightness = mean.Val0 / 255;
        if (deviation.Val0 < BlankFrameDeviation)
        {
            return (Unreadable(image, "blank frame: no picture (corrupt transfer, covered lens or dead sensor)") with { Detector = _options.Detector, FrameBrightness = frameBrightness }, null);
        }

        IReadOnlyList<DetectedFace> faces;
        using (var colour = ToColour(image))
        {
            lock (_detectorGate)
            {
                faces = _detector.Detect(colour ?? image, grey);
            }
        }

        var boxes = faces.Select(f => new FaceBox(f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height) { Confidence = f.Score is { } s ? Math.Round(s, 3) : null }).ToList();
        if (faces.Count != 1)
        {
            var result = new FaceAnalysisResult
            {
                ImageWidth = image.Width,
                ImageHeight = image.Height,
                Faces = boxes,
                Detector = _options.Detector,
                Verdict = faces.Count == 0 ? FaceVerdict.NoFace : FaceVerdict.MultipleFaces,
                Reasons = [faces.Count == 0 ? "no face" : $"{FaceCount(faces.Count)}: only one person may be in the picture"],
                FrameBrightness = frameBrightness,
            };
            return (result, null);
        }

        var face = faces[0];
        var measures = FaceMeasures.Of(grey, face);
        var (score, reasons, failed) = QualityGates.Evaluate(measures, _options);
        return (new FaceAnalysisResult
        {
            ImageWidth = image.Width,
            ImageHeight = image.Height,
            Faces = boxes,
            Detector = _options.Detector,
            Verdict = reasons.Count == 0 ? FaceVerdict.Accepted : FaceVerdict.PoorQuality,
            Reasons = reasons,
            FailedGates = failed,
            FrameBrightness = frameBrightness,
            Score = score,
            FaceWidth = measures.FaceWidth,
            EyeDistance = measures.EyeDistance,
            EyesFound = measures.EyesFound,
            LaplacianVariance = Math.Round(measures.LaplacianVariance, 1),
            Sharpness = Math.Round(QualityGates.NormalisedSharpness(measures.LaplacianVariance, _options), 3),
            Brightness = Math.Round(measures.Brightness, 3),
            Contrast = Math.Round(measures.Contrast, 3),
            RollDegrees = Math.Round(measures.RollDegrees, 1),
            YawDegrees = Math.Round(measures.YawDegrees, 1),
            CentreOffsetX = Math.Round(measures.CentreOffsetX, 3),
            CentreOffsetY = Math.Round(measures.CentreOffsetY, 3),
        }, face);
    }

    public void Dispose() => _detector.Dispose();

    /// <summary>An 8-bit single-channel copy of <paramref name="image"/>, or null when it is not an 8-bit grey/BGR/BGRA image.</summary>
    internal static Mat? TryToGrey(Mat image)
    {
        if (image.Empty() || image.Depth() != MatType.CV_8U || image.Width < 2 || image.Height < 2)
        {
            return null;
        }

        var grey = new Mat();
        switch (image.Channels())
        {
            case 1:
                image.CopyTo(grey);
                return grey;
            case 3:
                Cv2.CvtColor(image, grey, ColorConversionCodes.BGR2GRAY);
                return grey;
            case 4:
                Cv2.CvtColor(image, grey, ColorConversionCodes.BGRA2GRAY);
                return grey;
            default:
                grey.Dispose();
                return null;
        }
    }

    /// <summary>"two faces", "three faces"... as the technician and the screen say it.</summary>
    internal static string FaceCount(int count) => count switch
    {
        0 => "no face",
        1 => "one face",
        2 => "two faces",
        3 => "three faces",
        4 => "four faces",
        _ => $"{count} faces",
    };

    /// <summary>A BGR copy of a grey or BGRA image, or null when the image is BGR already (the detectors read it as is).</summary>
    private static Mat? ToColour(Mat image)
    {
        switch (image.Channels())
        {
            case 1:
                var fromGrey = new Mat();
                Cv2.CvtColor(image, fromGrey, ColorConversionCodes.GRAY2BGR);
                return fromGrey;
            case 4:
                var fromBgra = new Mat();
                Cv2.CvtColor(image, fromBgra, ColorConversionCodes.BGRA2BGR);
                return fromBgra;
            default:
                return null;
        }
    }

    private static FaceAnalysisResult Unreadable(Mat image, string reason) => new()
    {
        ImageWidth = image.Empty() ? 0 : image.Width,
        ImageHeight = image.Empty() ? 0 : image.Height,
        Faces = [],
        Verdict = FaceVerdict.Unreadable,
        Reasons = [reason],
    };
}
