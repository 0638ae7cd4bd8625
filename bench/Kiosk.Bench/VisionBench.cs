using System.Diagnostics;
using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace Kiosk.Bench;

/// <summary>
/// The camera pipelines on one thread: the full face pipeline (the default detector, BlazeFace, then every quality
/// gate) on a 640x480 frame, and the same with a liveness challenge followed on every frame, against the bare model run in ONNX Runtime (the same model, the input tensor already
/// filled, one thread), and page detection plus correction on a 1920x1080 frame against the bare OpenCV calls of a
/// minimal page finder on the same frame with the same output (<see cref="MinimalPageFinder"/>).
/// </summary>
internal static class VisionBench
{
    public sealed record Result(double FaceMs, double RawDetectorMs, double DocumentMs, double RawDocumentMs, int FacesFound, bool PageFound)
    {
        /// <summary>The face pipeline with a liveness challenge followed on every frame (blink and turn trackers alternating).</summary>
        public double ChallengeMs { get; init; }

        /// <summary>The bare model run measured alongside <see cref="ChallengeMs"/>.</summary>
        public double ChallengeRawMs { get; init; }

        /// <summary>Of <see cref="DocumentMs"/>: encoding the corrected page as PNG alone (the same image, same size), and its size.</summary>
        public double PngEncodeMs { get; init; }

        public string PageSize { get; init; } = "";
    }

    public static Result Run(int frames)
    {
        using var photo = Cv2.ImRead(RepositoryPaths.TestDataFile("astronaut.png"));
        using var frame = new Mat();
        Cv2.Resize(photo, frame, new Size(640, 480));
        var options = new FaceCameraOptions();
        using var analyzer = new FaceAnalyzer(options);
        var faces = analyzer.Analyze(frame).Faces.Count;

        // The library alone: one ONNX Runtime session on one thread, as the driver opens it, running the model on a
        // tensor filled once; nothing of ours (letterboxing, decoding, gates) is in it.
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(options.BlazeFaceModelPath, sessionOptions);
        var (inputName, inputMeta) = session.InputMetadata.Single();
        var shape = inputMeta.Dimensions.Select(d => (long)d).ToArray();
        var tensor = new float[shape.Aggregate(1L, (a, b) => a * b)];
        using var input = OrtValue.CreateTensorValueFromMemory(tensor, shape);
        using var run = new RunOptions();
        var outputNames = session.OutputMetadata.Keys.ToArray();
        var (faceMs, rawMs) = Interleaved(frames, () => analyzer.Analyze(frame), () =>
        {
            using var outputs = session.Run(run, [inputName], [input], outputNames);
        });

        // The same frame with a challenge: the analysis, the grey copy the tracker reads, the yaw or the eye openness.
        // The trackers never decide on a still frame, so every iteration does the whole per-frame work.
        var blink = new FaceChallengeTracker(FaceChallenge.Blink, options);
        var turn = new FaceChallengeTracker(FaceChallenge.TurnLeft, options);
        var iteration = 0;
        var (challengeMs, challengeRawMs) = Interleaved(frames, () =>
        {
            var (_, face) = analyzer.AnalyzeFrame(frame);
            using var grey = FaceAnalyzer.TryToGrey(frame)!;
            (iteration++ % 2 == 0 ? blink : turn).Observe(grey, face);
        }, () =>
        {
            using var outputs = session.Run(run, [inputName], [input], outputNames);
        });

        using var scene = DocumentScene();
        var settings = new DocumentAnalysisSettings();
        var pageFound = DocumentAnalyzer.Analyze(scene, settings).PageFound;
        var (documentMs, rawDocumentMs) = Interleaved(Math.Max(3, frames / 5), () => DocumentAnalyzer.Analyze(scene, settings), () => MinimalPageFinder(scene, settings.Dpi));
        // Where the time goes: the PNG encoding of the corrected page, which ours and the baseline both do.
        using var corrected = Cv2.ImDecode(DocumentAnalyzer.Analyze(scene, settings).Image!.Data.Span, ImreadModes.Unchanged);
        var (pngMs, _) = Interleaved(Math.Max(3, frames / 5), () => Cv2.ImEncode(".png", corrected, out _), () => { });
        return new Result(faceMs, rawMs, documentMs, rawDocumentMs, faces, pageFound) { PngEncodeMs = pngMs, PageSize = $"{corrected.Width}x{corrected.Height}", ChallengeMs = challengeMs, ChallengeRawMs = challengeRawMs };
    }

    /// <summary>
    /// The baseline: the bare OpenCV calls the smallest page finder makes, on the full frame, as the OpenCV document-scanner
    /// samples do: grey, Gaussian blur, Otsu's threshold, external contours, the largest one simplified to four corners
    /// (approxPolyDP at 2 %), then the same output as ours (the page's long side A4's 297 mm at the same dpi, one bilinear
    /// warp, PNG). It has none of our robustness (no threshold ladder, no fingers, no side lines, no sub-pixel corners,
    /// no cut-off check, no blur and glare), so the ratio is what those cost.
    /// </summary>
    private static void MinimalPageFinder(Mat scene, int dpi)
    {
        var quad = MinimalPageOutline(scene).Select(p => new Point2f(p.X, p.Y)).ToArray();
        if (quad.Length != 4)
        {
            throw new InvalidOperationException("the baseline found no four-cornered page in the bench scene");
        }

        var width = Math.Max(quad[0].DistanceTo(quad[1]), quad[2].DistanceTo(quad[3]));
        var height = Math.Max(quad[1].DistanceTo(quad[2]), quad[3].DistanceTo(quad[0]));
        var scale = 297 / 25.4 * dpi / Math.Max(width, height);
        var size = new Size((int)Math.Round(width * scale), (int)Math.Round(height * scale));
        using var homography = Cv2.GetPerspectiveTransform(quad, [new(0, 0), new(size.Width - 1, 0), new(size.Width - 1, size.Height - 1), new(0, size.Height - 1)]);
        using var page = new Mat();
        Cv2.WarpPerspective(scene, page, homography, size, InterpolationFlags.Linear);
        Cv2.ImEncode(".png", page, out _);
    }

    /// <summary>
    /// The minimal page finder's detection: grey, 5x5 Gaussian blur, Otsu's threshold, external contours, the largest
    /// one's approxPolyDP at 2 % (empty when there is no contour).
    /// </summary>
    internal static Point[] MinimalPageOutline(Mat scene)
    {
        using var grey = new Mat();
        Cv2.CvtColor(scene, grey, ColorConversionCodes.BGR2GRAY);
        Cv2.GaussianBlur(grey, grey, new Size(5, 5), 0);
        using var binary = new Mat();
        Cv2.Threshold(grey, binary, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        Cv2.FindContours(binary, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var largest = contours.MaxBy(c => Cv2.ContourArea(c));
        return largest is null ? [] : Cv2.ApproxPolyDP(largest, 0.02 * Cv2.ArcLength(largest, true), true);
    }

    /// <summary>Debian's scanned page, warped by a known perspective onto a dark desk, as a document camera sees it.</summary>
    private static Mat DocumentScene()
    {
        using var page = Cv2.ImRead(RepositoryPaths.TestDataFile("page.png"));
        var scene = new Mat(1080, 1920, MatType.CV_8UC3, new Scalar(40, 45, 50));
        var from = new[] { new Point2f(0, 0), new Point2f(page.Width, 0), new Point2f(page.Width, page.Height), new Point2f(0, page.Height) };
        var to = new[] { new Point2f(520, 140), new Point2f(1420, 190), new Point2f(1380, 960), new Point2f(480, 920) };
        using var homography = Cv2.GetPerspectiveTransform(from, to);
        Cv2.WarpPerspective(page, scene, homography, scene.Size(), InterpolationFlags.Linear, BorderTypes.Transparent);
        return scene;
    }

    /// <summary>Ours and the baseline in alternation, so a busy moment of the machine falls on both alike.</summary>
    private static (double OursMs, double BaselineMs) Interleaved(int iterations, Action ours, Action baseline)
    {
        ours();
        baseline();
        double oursTotal = 0, baselineTotal = 0;
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            ours();
            var middle = Stopwatch.GetTimestamp();
            baseline();
            oursTotal += Stopwatch.GetElapsedTime(start, middle).TotalMilliseconds;
            baselineTotal += Stopwatch.GetElapsedTime(middle).TotalMilliseconds;
        }

        return (oursTotal / iterations, baselineTotal / iterations);
    }
}
