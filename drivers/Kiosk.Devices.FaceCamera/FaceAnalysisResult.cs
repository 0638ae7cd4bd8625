namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// The analysis of one image: every face found, and for a single face its quality measures, the 0..100
/// score, the verdict and the reason for every failed gate. Measures of a face are 0 when there is not exactly one face.
/// </summary>
public sealed record FaceAnalysisResult
{
    public required int ImageWidth { get; init; }
    public required int ImageHeight { get; init; }
    public required IReadOnlyList<FaceBox> Faces { get; init; }

    /// <summary>How many faces were found.</summary>
    public int FaceCount => Faces.Count;

    /// <summary>The face count in words: "no face", "one face", "two faces"...</summary>
    public string Found => FaceAnalyzer.FaceCount(Faces.Count);

    /// <summary>The detector that looked (<see cref="FaceCameraOptions.Detector"/>).</summary>
    public FaceDetectorKind Detector { get; init; }
    public required FaceVerdict Verdict { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public int Score { get; init; }
    public int FaceWidth { get; init; }
    /// <summary>Distance between the eye centres; estimated as 0.4 of the face width when the eyes were not found.</summary>
    public int EyeDistance { get; init; }
    public bool EyesFound { get; init; }
    /// <summary>Variance of the Laplacian of the face crop scaled to 160 px wide.</summary>
    public double LaplacianVariance { get; init; }
    /// <summary>Sharpness mapped to 0..1: variance / (variance + MinSharpness * 2); the gate is at one third.</summary>
    public double Sharpness { get; init; }
    /// <summary>Mean grey level of the face crop, 0..1.</summary>
    public double Brightness { get; init; }
    /// <summary>Standard deviation of the face crop's grey levels, 0..1.</summary>
    public double Contrast { get; init; }
    public double RollDegrees { get; init; }
    public double YawDegrees { get; init; }
    /// <summary>Horizontal distance of the face centre from the image centre, as a fraction of the image width.</summary>
    public double CentreOffsetX { get; init; }
    /// <summary>Vertical distance of the face centre from the image centre, as a fraction of the image height.</summary>
    public double CentreOffsetY { get; init; }

    public FaceBox? Face => Faces.Count == 1 ? Faces[0] : null;

    /// <summary>The gates the single face failed, as flags (the <see cref="Reasons"/> in words); for the camera's preview hint.</summary>
    internal QualityGate FailedGates { get; init; }

    /// <summary>Mean grey level of the whole image, 0..1 (0 when it is not an image): tells a dark room from an empty one.</summary>
    internal double FrameBrightness { get; init; }
}
