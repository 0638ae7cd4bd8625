using OpenCvSharp;
using OpenCvSharp.Face;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// A local 1:1 pre-check with OpenCV's LBPH recogniser (contrib face module, in OpenCvSharp4's native
/// runtime): all 256 8-neighbour LBP codes (not only the uniform ones) on the aligned, equalised grey face crop, histograms
/// over an 8x8 grid, chi-square distance; the distance maps to a 0..1 score. A texture comparison, far
/// weaker than a deep face embedding: the platform runs its own matcher on the stored capture, and a
/// stronger local matcher drops in behind <see cref="IFaceMatcher"/>.
/// Thread safety: calls may run concurrently (a recogniser per call; detection is serialised by the analyzer).
/// </summary>
public sealed class OpenCvFaceMatcher : IFaceMatcher, IDisposable
{
    public const string MethodName = "opencv-lbph-chi-square";

    private readonly FaceMatcherOptions _options;
    private readonly FaceAnalyzer _analyzer;

    /// <exception cref="ArgumentException">The options are invalid, or a cascade cannot be loaded.</exception>
    public OpenCvFaceMatcher(FaceMatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid face matcher options: " + string.Join("; ", errors));
        }

        _options = options;
        _analyzer = new FaceAnalyzer(options.Detection);
    }

    public Task<FaceMatch> MatchAsync(FaceCapture probe, ReadOnlyMemory<byte> enrolledPhoto, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Compare(probe.Image.Data.Span, enrolledPhoto.Span));
    }

    /// <summary>Compares the single faces of two encoded images; 0 when either has no single face.</summary>
    public FaceMatch Compare(ReadOnlySpan<byte> probe, ReadOnlySpan<byte> enrolled)
    {
        return new FaceMatch(Score(Distance(probe, enrolled)), _options.Threshold, MethodName);
    }

    /// <summary>The score (rounded as <see cref="Compare"/> reports it) of an LBPH distance; 0 for no distance (no single face).</summary>
    internal double Score(double? distance) =>
        distance is { } d ? Math.Round(Math.Pow(2, -d / _options.DistanceAtHalf), 4) : 0;

    /// <summary>The LBPH chi-square distance between the two faces, or null when either image has no single face.</summary>
    internal double? Distance(ReadOnlySpan<byte> probe, ReadOnlySpan<byte> enrolled)
    {
        using var probeFace = AlignedFace(probe);
        using var enrolledFace = AlignedFace(enrolled);
        if (probeFace is null || enrolledFace is null)
        {
            return null;
        }

        return LbphDistance(probeFace, enrolledFace);
    }

    /// <summary>LBPH chi-square distance between two aligned face crops.</summary>
    internal static double LbphDistance(Mat probeFace, Mat enrolledFace)
    {
        // radius 1, 8 neighbours, 8x8 grid: the LBPH defaults of Ahonen et al. (2004) as OpenCV ships them.
        using var recogniser = LBPHFaceRecognizer.Create(1, 8, 8, 8);
        recogniser.Train([enrolledFace], [0]);
        recogniser.Predict(probeFace, out _, out var distance);
        return distance;
    }

    public void Dispose() => _analyzer.Dispose();

    /// <summary>The image's single face, aligned and equalised as the matcher compares it; null when there is no single face.</summary>
    internal Mat? AlignedFace(ReadOnlySpan<byte> encoded)
    {
        using var image = encoded.IsEmpty ? new Mat() : Cv2.ImDecode(encoded.ToArray(), ImreadModes.Color);
        var (_, face) = _analyzer.AnalyzeFrame(image);
        if (face is null)
        {
            return null;
        }

        using var grey = FaceAnalyzer.TryToGrey(image)!;
        return FaceAligner.Align(grey, face);
    }
}
