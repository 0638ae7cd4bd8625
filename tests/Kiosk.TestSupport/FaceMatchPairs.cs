namespace Kiosk.TestSupport;

/// <summary>A 1:1 comparison of the face evaluation set: an enrolled frame against a probe frame, of one person or two.</summary>
public sealed record FaceMatchPair(FaceEvalImage Enrolled, FaceEvalImage Probe, bool SamePerson);

/// <summary>At one threshold: of each kind of pair, how many there are and how many were decided wrongly.</summary>
public sealed record FaceMatchRates(double Threshold, int SamePairs, int FalseRejects, int DifferentPairs, int FalseAccepts)
{
    /// <summary>False accept rate: different-person pairs scored at or above the threshold.</summary>
    public double Far => DifferentPairs == 0 ? 0 : (double)FalseAccepts / DifferentPairs;

    /// <summary>False reject rate: same-person pairs scored below the threshold (no face found counts as a reject).</summary>
    public double Frr => SamePairs == 0 ? 0 : (double)FalseRejects / SamePairs;
}

/// <summary>
/// Same-person and different-person pairs from the face evaluation set (<see cref="FaceEvalSet"/>), and the false
/// accept and false reject rates of a matcher's scores on them. Each of the 23 people is enrolled with the frame of
/// the face at 50 % of the frame width, centred and unaltered (scale-SOURCE-w50); the probes are every other
/// single-person frame (scale, position, light and blur categories) whose truth names that source person. Same-person
/// pairs: a person's enrolled frame against each of that person's probes. Different-person pairs: each person's enrolled
/// frame against every probe of every other person.
/// </summary>
public static class FaceMatchPairs
{
    public const string EnrolledVariant = "w50";

    private static readonly string[] ProbeCategories = ["scale", "position", "light", "blur"];

    public static bool IsEnrolled(FaceEvalImage frame) => frame.Category == "scale" && frame.Variant == EnrolledVariant;

    public static IReadOnlyList<FaceMatchPair> Build(IReadOnlyList<FaceEvalImage> frames)
    {
        var singles = frames.Where(f => ProbeCategories.Contains(f.Category)).ToList();
        var enrolled = singles.Where(IsEnrolled).OrderBy(f => f.Source, StringComparer.Ordinal).ToList();
        var probes = singles.Where(f => !IsEnrolled(f)).OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
        return [.. from e in enrolled from p in probes select new FaceMatchPair(e, p, e.Source == p.Source)];
    }

    public static FaceMatchRates Rates(IReadOnlyList<(bool SamePerson, double Score)> scores, double threshold) => new(
        threshold,
        scores.Count(s => s.SamePerson),
        scores.Count(s => s.SamePerson && s.Score < threshold),
        scores.Count(s => !s.SamePerson),
        scores.Count(s => !s.SamePerson && s.Score >= threshold));

    /// <summary>
    /// The equal-error rate: over every threshold that separates two observed scores, the one where FAR and FRR are
    /// closest; the rate is their mean there.
    /// </summary>
    public static (double Threshold, double Rate) EqualError(IReadOnlyList<(bool SamePerson, double Score)> scores)
    {
        var candidates = scores.Select(s => s.Score).Where(s => s > 0).Distinct().Order().ToList();
        var best = (Threshold: 1.0, Gap: double.MaxValue, Rate: 1.0);
        foreach (var threshold in candidates)
        {
            var rates = Rates(scores, threshold);
            var gap = Math.Abs(rates.Far - rates.Frr);
            if (gap < best.Gap)
            {
                best = (threshold, gap, (rates.Far + rates.Frr) / 2);
            }
        }

        return (best.Threshold, best.Rate);
    }
}
