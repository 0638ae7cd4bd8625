using System.Globalization;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Configuration of <see cref="OpenCvFaceCamera"/> and <see cref="FaceAnalyzer"/>. Validated once by
/// <see cref="Validate"/>; every error is gathered into one list that names the key.
/// The quality thresholds follow the spirit of ISO/IEC 19794-5 (token/full-frontal geometry) and
/// ISO/IEC 29794-5 (sharpness, illumination, pose); they are not a certified quality algorithm.
/// </summary>
public sealed class FaceCameraOptions
{
    public const string DefaultCascadePath = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
    public const string DefaultEyeCascadePath = "/usr/share/opencv4/haarcascades/haarcascade_eye.xml";
    public const string DefaultLbpCascadePath = "/usr/share/opencv4/lbpcascades/lbpcascade_frontalface_improved.xml";

    /// <summary>
    /// The default BlazeFace model's file name in the program folder's <c>models</c> folder (put there by deploy/fetch-face-model.sh):
    /// the 256x256 "back" model, which on the evaluation set found faces from 10 % of the frame width up, where the
    /// 128x128 "front" model (<c>face_detection_front_128x128_barracuda.onnx</c>, beside it) misses a third of those (README.md).
    /// </summary>
    public const string BlazeFaceModelFile = "face_detection_back_256x256_barracuda.onnx";

    /// <summary>Where the package (kiosk.sh publish) and a build with the model in .cache/models put the BlazeFace model: next to the program.</summary>
    public static string DefaultBlazeFaceModelPath { get; } = Path.Combine(AppContext.BaseDirectory, "models", BlazeFaceModelFile);

    /// <summary>A device index ("0"), a V4L2 path ("/dev/video0"), a URL ("rtsp://..."), a video file or an image sequence pattern ("/data/frame_%03d.png").</summary>
    public string Source { get; set; } = "0";

    /// <summary>The face detector (see README.md for how the three compare on the evaluation set).</summary>
    public FaceDetectorKind Detector { get; set; } = FaceDetectorKind.BlazeFace;

    /// <summary>Frontal-face Haar cascade (opencv-data), used when <see cref="Detector"/> is Haar.</summary>
    public string CascadePath { get; set; } = DefaultCascadePath;

    /// <summary>Frontal-face LBP cascade (opencv-data), used when <see cref="Detector"/> is Lbp.</summary>
    public string LbpCascadePath { get; set; } = DefaultLbpCascadePath;

    /// <summary>Eye cascade used for eye distance and pose by the cascade detectors (BlazeFace finds the eyes itself).</summary>
    public string EyeCascadePath { get; set; } = DefaultEyeCascadePath;

    /// <summary>BlazeFace ONNX model (front 128x128 or back 256x256), used when <see cref="Detector"/> is BlazeFace.</summary>
    public string BlazeFaceModelPath { get; set; } = DefaultBlazeFaceModelPath;

    /// <summary>BlazeFace score (0..1) from which a candidate counts as a face; MediaPipe's face detection uses 0.5.</summary>
    public double MinDetectionScore { get; set; } = 0.5;

    /// <summary>Requested capture size for live cameras; 0 keeps the camera's default.</summary>
    public int FrameWidth { get; set; }

    public int FrameHeight { get; set; }

    /// <summary>Minimum face box width in pixels.</summary>
    public int MinFaceWidth { get; set; } = 80;

    /// <summary>
    /// Largest face box width as a fraction of the image width. A face box of about 14 cm fills 0.6 of a 60-degree camera's
    /// view some 20 cm from the lens: nearer, the head is cut off by the frame and the wide angle distorts the face.
    /// </summary>
    public double MaxFaceWidthFraction { get; set; } = 0.6;

    /// <summary>Minimum distance between the eye centres in pixels (ISO/IEC 19794-5 asks 90 for a full frontal image; 30 is a kiosk pre-check floor).</summary>
    public int MinEyeDistance { get; set; } = 30;

    /// <summary>Minimum variance of the Laplacian of the face crop scaled to 160 px wide (grey levels squared).</summary>
    public double MinSharpness { get; set; } = 60;

    /// <summary>Mean grey level of the face crop, as a fraction of 255.</summary>
    public double MinBrightness { get; set; } = 0.25;

    public double MaxBrightness { get; set; } = 0.85;

    /// <summary>Standard deviation of the grey levels of the face crop, as a fraction of 255.</summary>
    public double MinContrast { get; set; } = 0.08;

    /// <summary>Largest tilt of the eye line (roll); ISO/IEC 19794-5 allows about 8 degrees for a frontal image, a kiosk pre-check is looser.</summary>
    public double MaxRollDegrees { get; set; } = 15;

    /// <summary>Largest estimated head turn (yaw) from the eye positions inside the face box.</summary>
    public double MaxYawDegrees { get; set; } = 20;

    /// <summary>Largest horizontal distance of the face centre from the image centre, as a fraction of the image width.</summary>
    public double MaxCentreOffset { get; set; } = 0.2;

    /// <summary>
    /// Largest vertical distance of the face centre from the image centre, as a fraction of the image height.
    /// Looser than horizontal: ISO/IEC 19794-5 portraits put the eyes above the middle, and a kiosk camera
    /// sits above or below the eyes of people of different heights.
    /// </summary>
    public double MaxVerticalOffset { get; set; } = 0.35;

    /// <summary>Mean absolute grey-level change inside the face box between frames of a burst below which the burst counts as a still picture.</summary>
    public double MinLivenessMotion { get; set; } = 0.8;

    /// <summary>
    /// Frames a liveness challenge may look at before it is decided as not done (about 3 s at 30 frames a second, 6 s at
    /// 15): long enough for a person who has read the prompt to blink or turn, short enough to keep the step brisk.
    /// </summary>
    public int ChallengeFrames { get; set; } = 90;

    /// <summary>Largest estimated yaw (nose tip against the eyes) of a frame that counts as facing the camera, before a turn and for the capture.</summary>
    public double ChallengeFrontalDegrees { get; set; } = 12;

    /// <summary>
    /// Estimated yaw, from the most frontal frame, a head turn must reach in the asked direction (a turn this far the other
    /// way fails the challenge). The estimate reads about half of a synthetic turn's angle and a few degrees for a flat
    /// photograph turned 40 degrees (README, "Liveness").
    /// </summary>
    public double ChallengeTurnDegrees { get; set; } = 15;

    /// <summary>Eye openness (relative to the person's most open frame) at or below which the eyes count as closed in a blink.</summary>
    public double BlinkClosedRatio { get; set; } = 0.5;

    /// <summary>JPEG quality of the delivered image (1..100).</summary>
    public int JpegQuality { get; set; } = 90;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Source))
        {
            errors.Add($"{nameof(Source)} is empty: give a device index (\"0\"), a /dev/video path, a URL or a file/sequence pattern");
        }

        ValidateDetector(errors);

        Check(errors, FrameWidth >= 0 && FrameHeight >= 0, "FrameWidth/FrameHeight must be 0 (camera default) or positive");
        Check(errors, MinFaceWidth > 0, $"{nameof(MinFaceWidth)} must be positive");
        Check(errors, MaxFaceWidthFraction is > 0 and <= 1, $"{nameof(MaxFaceWidthFraction)} must be in (0, 1]");
        Check(errors, MinEyeDistance > 0 && MinEyeDistance < MinFaceWidth, $"{nameof(MinEyeDistance)} must be positive and below {nameof(MinFaceWidth)}");
        Check(errors, MinSharpness >= 0, $"{nameof(MinSharpness)} must not be negative");
        Check(errors, MinBrightness is >= 0 and < 1 && MaxBrightness > MinBrightness && MaxBrightness <= 1, "MinBrightness/MaxBrightness must satisfy 0 <= min < max <= 1");
        Check(errors, MinContrast is >= 0 and < 1, $"{nameof(MinContrast)} must be in 0..1");
        Check(errors, MaxRollDegrees is > 0 and <= 90 && MaxYawDegrees is > 0 and <= 90, "MaxRollDegrees/MaxYawDegrees must be in (0, 90]");
        Check(errors, MaxCentreOffset is > 0 and <= 0.5 && MaxVerticalOffset is > 0 and <= 0.5, "MaxCentreOffset/MaxVerticalOffset must be in (0, 0.5]");
        Check(errors, MinLivenessMotion >= 0, $"{nameof(MinLivenessMotion)} must not be negative");
        Check(errors, ChallengeFrames is >= 3 and <= 900, $"{nameof(ChallengeFrames)} must be in 3..900");
        Check(errors, ChallengeFrontalDegrees is > 0 and < 45 && ChallengeTurnDegrees is > 0 and < 60,
            $"{nameof(ChallengeFrontalDegrees)} must be in (0, 45) and {nameof(ChallengeTurnDegrees)} in (0, 60)");
        Check(errors, BlinkClosedRatio is > 0 and < FaceChallengeTracker.OpenRatio, $"{nameof(BlinkClosedRatio)} must be in (0, {FaceChallengeTracker.OpenRatio}) (eyes count as open again at {FaceChallengeTracker.OpenRatio})");
        Check(errors, JpegQuality is >= 1 and <= 100, $"{nameof(JpegQuality)} must be in 1..100");
        return errors;
    }

    /// <summary>Throws one <see cref="ArgumentException"/> naming every invalid key.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid face camera options: " + string.Join("; ", errors));
        }
    }

    /// <summary>Throws when the options the analysis needs (cascades, gates) are invalid; the source is not checked.</summary>
    internal void ThrowIfInvalidForAnalysis()
    {
        var errors = Validate().Where(e => !e.StartsWith(nameof(Source), StringComparison.Ordinal)).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid face camera options: " + string.Join("; ", errors));
        }
    }

    /// <summary>The source as a device index when it is one ("0", "1").</summary>
    internal bool TryGetDeviceIndex(out int index) =>
        int.TryParse(Source, NumberStyles.None, CultureInfo.InvariantCulture, out index);

    /// <summary>A file or image sequence (not a device index, /dev node or URL): replayed from its start for each capture.</summary>
    internal bool IsRecordedSource =>
        !TryGetDeviceIndex(out _) && !Source.StartsWith("/dev/", StringComparison.Ordinal) && !Source.Contains("://", StringComparison.Ordinal);

    private void ValidateDetector(List<string> errors)
    {
        switch (Detector)
        {
            case FaceDetectorKind.Haar:
                CheckFile(errors, nameof(CascadePath), CascadePath, "install opencv-data");
                CheckFile(errors, nameof(EyeCascadePath), EyeCascadePath, "install opencv-data");
                break;
            case FaceDetectorKind.Lbp:
                CheckFile(errors, nameof(LbpCascadePath), LbpCascadePath, "install opencv-data");
                CheckFile(errors, nameof(EyeCascadePath), EyeCascadePath, "install opencv-data");
                break;
            case FaceDetectorKind.BlazeFace:
                CheckFile(errors, nameof(BlazeFaceModelPath), BlazeFaceModelPath,
                    "the package carries it in agent/models; from source run deploy/fetch-face-model.sh .cache/models and rebuild, or set Detector to Haar or Lbp");
                Check(errors, MinDetectionScore is > 0 and < 1, $"{nameof(MinDetectionScore)} must be in (0, 1)");
                break;
            default:
                errors.Add($"{nameof(Detector)} '{Detector}' is not a detector: use BlazeFace, Haar or Lbp");
                break;
        }
    }

    private static void CheckFile(List<string> errors, string key, string path, string fix)
    {
        if (!File.Exists(path))
        {
            errors.Add($"{key} '{path}' does not exist ({fix})");
        }
    }

    private static void Check(List<string> errors, bool ok, string message)
    {
        if (!ok)
        {
            errors.Add(message);
        }
    }
}
