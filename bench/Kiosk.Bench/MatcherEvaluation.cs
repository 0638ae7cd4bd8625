using System.Globalization;
using System.Text;
using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Bench;

/// <summary>
/// The 1:1 matchers (OpenCvFaceMatcher with its default options, and OnnxFaceEmbeddingMatcher when its model is there) on
/// the same-person and different-person pairs of the face evaluation set (<see cref="FaceMatchPairs"/>): each frame's
/// face is found (and aligned or embedded) once, then every pair is scored as the matcher's Compare scores it; a frame
/// without a single face scores 0 in every pair.
/// </summary>
internal static class MatcherEvaluation
{
    public static readonly double[] Thresholds = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8];

    /// <summary><paramref name="Rows"/> over all pairs (no single face = reject); <paramref name="FoundRows"/> over the pairs where both frames have a single face.</summary>
    public sealed record Result(IReadOnlyList<FaceMatchRates> Rows, double EerThreshold, double Eer, IReadOnlyList<FaceMatchRates> FoundRows, double FoundEerThreshold, double FoundEer, int Frames, int FramesWithoutFace, double ChosenThreshold, double HighestDifferentScore);

    public static Result Run(Action<string>? noFace)
    {
        var pairs = FaceMatchPairs.Build(FaceEvalSet.All);
        using var matcher = new OpenCvFaceMatcher(new FaceMatcherOptions());
        var scored = Score(matcher, pairs, noFace, out var frames, out var withoutFace);
        return Summarise(scored, frames, withoutFace, new FaceMatcherOptions().Threshold);
    }

    /// <summary>The embedding matcher (default options, <see cref="FaceMatcherMethod.Embedding"/>) on the same pairs; each frame's embedding is computed once.</summary>
    public static Result RunEmbedding(Action<string>? noFace)
    {
        var pairs = FaceMatchPairs.Build(FaceEvalSet.All);
        var options = new FaceMatcherOptions { Method = FaceMatcherMethod.Embedding };
        var chosenThreshold = options.EmbeddingThreshold;
        using var matcher = new OnnxFaceEmbeddingMatcher(options);
        var embeddings = new Dictionary<string, float[]?>();
        foreach (var frame in pairs.SelectMany(p => new[] { p.Enrolled, p.Probe }).DistinctBy(f => f.Name))
        {
            embeddings[frame.Name] = matcher.Embedding(File.ReadAllBytes(frame.Path));
            if (embeddings[frame.Name] is null)
            {
                noFace?.Invoke(frame.Name);
            }
        }

        List<(bool, double, bool)> scored = [.. pairs.Select(p => embeddings[p.Enrolled.Name] is { } e && embeddings[p.Probe.Name] is { } q
            ? (p.SamePerson, OnnxFaceEmbeddingMatcher.Score(q, e), true)
            : (p.SamePerson, 0.0, false))];
        return Summarise(scored, embeddings.Count, embeddings.Values.Count(e => e is null), chosenThreshold);
    }

    private static Result Summarise(List<(bool SamePerson, double Score, bool BothFound)> scored, int frames, int withoutFace, double chosenThreshold)
    {
        var scores = scored.Select(s => (s.SamePerson, s.Score)).ToList();
        var found = scored.Where(s => s.BothFound).Select(s => (s.SamePerson, s.Score)).ToList();
        var (eerThreshold, eer) = FaceMatchPairs.EqualError(scores);
        var (foundEerThreshold, foundEer) = FaceMatchPairs.EqualError(found);
        var thresholds = Thresholds.Append(chosenThreshold).Append(eerThreshold).Append(foundEerThreshold).Distinct().Order().ToList();
        return new Result(
            [.. thresholds.Select(t => FaceMatchPairs.Rates(scores, t))], eerThreshold, eer,
            [.. thresholds.Select(t => FaceMatchPairs.Rates(found, t))], foundEerThreshold, foundEer,
            frames, withoutFace, chosenThreshold, scores.Where(s => !s.SamePerson).Max(s => s.Score));
    }

    /// <summary>Every pair's score; each frame is decoded, detected and aligned once.</summary>
    public static List<(bool SamePerson, double Score, bool BothFound)> Score(OpenCvFaceMatcher matcher, IReadOnlyList<FaceMatchPair> pairs, Action<string>? noFace, out int frames, out int withoutFace)
    {
        var faces = new Dictionary<string, Mat?>();
        try
        {
            foreach (var frame in pairs.SelectMany(p => new[] { p.Enrolled, p.Probe }).DistinctBy(f => f.Name))
            {
                faces[frame.Name] = matcher.AlignedFace(File.ReadAllBytes(frame.Path));
                if (faces[frame.Name] is null)
                {
                    noFace?.Invoke(frame.Name);
                }
            }

            frames = faces.Count;
            withoutFace = faces.Values.Count(f => f is null);
            return [.. pairs.Select(p => faces[p.Enrolled.Name] is { } e && faces[p.Probe.Name] is { } q
                ? (p.SamePerson, matcher.Score(OpenCvFaceMatcher.LbphDistance(q, e)), true)
                : (p.SamePerson, 0.0, false))];
        }
        finally
        {
            foreach (var face in faces.Values)
            {
                face?.Dispose();
            }
        }
    }

    public static string Table(Result result)
    {
        var text = new StringBuilder();
        text.AppendLine("All pairs (a frame without a single face scores 0):");
        Rows(text, result.Rows, result.ChosenThreshold, result.EerThreshold);
        text.AppendLine(CultureInfo.InvariantCulture, $"EER {100 * result.Eer:0.0} % at threshold {result.EerThreshold:0.####}; {result.FramesWithoutFace} of {result.Frames} frames without a single face found (score 0 in all their pairs).");
        text.AppendLine();
        text.AppendLine("Pairs where both frames have a single face (the matcher alone):");
        Rows(text, result.FoundRows, result.ChosenThreshold, result.FoundEerThreshold);
        text.AppendLine(CultureInfo.InvariantCulture, $"EER {100 * result.FoundEer:0.0} % at threshold {result.FoundEerThreshold:0.####}; highest different-person score {result.HighestDifferentScore:0.####}.");
        return text.ToString();
    }

    private static void Rows(StringBuilder text, IReadOnlyList<FaceMatchRates> rows, double chosen, double eerThreshold)
    {
        text.AppendLine("| threshold | FAR | false accepts / different-person pairs | FRR | false rejects / same-person pairs |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var mark = r.Threshold == chosen ? " (default)" : r.Threshold == eerThreshold ? " (EER)" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Threshold:0.####}{mark} | {100 * r.Far:0.00} % | {r.FalseAccepts} / {r.DifferentPairs} | {100 * r.Frr:0.0} % | {r.FalseRejects} / {r.SamePairs} |");
        }
    }
}
