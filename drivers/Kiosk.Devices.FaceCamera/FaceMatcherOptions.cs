namespace Kiosk.Devices.FaceCamera;

/// <summary>Configuration of <see cref="OpenCvFaceMatcher"/>.</summary>
public sealed class FaceMatcherOptions
{
    /// <summary>Cascades used to find the face and eyes in both images (the quality gates are not applied).</summary>
    public FaceCameraOptions Detection { get; set; } = new();

    /// <summary>
    /// Score (0..1) at or above which two faces count as the same person. Chosen from the face evaluation set (README,
    /// "Matcher error rates"): the lowest 0.05 step with no false accept and 0.05 above the highest different-person
    /// score (0.408); there FAR 0 of 7084 different-person pairs, FRR 67.7 % of 322 same-person pairs.
    /// </summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>
    /// LBPH chi-square distance at which the score is 0.5 (score = 2^(-distance / DistanceAtHalf)).
    /// Distances of the same face under small changes are far below it, different faces near or above it.
    /// </summary>
    public double DistanceAtHalf { get; set; } = 60;

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

        return errors;
    }
}
