using System.Globalization;
using System.Text;
using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Bench;

/// <summary>
/// The 1:1 matcher (OpenCvFaceMatcher with its default options) on the same-person and different-person pairs of the
/// face evaluation set (<see cref="FaceMatchPairs"/>): each frame's face is found and aligned once, then every pair is
/// scored as <see cref="OpenCvFaceMatcher.Compare"/> scores it; a frame without a single face scores 0 in every pair.
/// </summary>
internal static class MatcherEvaluation
{
    public static readonly double[] Thresholds = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];

    public sealed record Result(IReadOnlyList<FaceMatchRates> Rows, double EerThreshold, double Eer, int Frames, int FramesWithoutFace, double ChosenThreshold);

    public static Result Run(Action<string>? noFace)
    {
        var pairs = FaceMatchPairs.Build(FaceEvalSet.All);
        using var matcher = new OpenCvFaceMatcher(new FaceMatcherOptions());
        var scores = Score(matcher, pairs, noFace, out var frames, out var withoutFace);
        var (eerThreshold, eer) = FaceMatchPairs.EqualError(scores);
        var rows = Thresholds.Append(new FaceMatcherOptions().Threshold).Append(Math.Round(eerThreshold, 4)).Distinct().Order()
            .Select(t => FaceMatchPairs.Rates(scores, t)).ToList();
        return new Result(rows, eerThreshold, eer, frames, withoutFace, new FaceMatcherOptions().Threshold);
    }

    /// <summary>Every pair's score; each frame is decoded, detected and aligned once.</summary>
    public static List<(bool SamePerson, double Score)> Score(OpenCvFaceMatcher matcher, IReadOnlyList<FaceMatchPair> pairs, Action<string>? noFace, out int frames, out int withoutFace)
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
            return [.. pairs.Select(p => (p.SamePerson, matcher.Score(faces[p.Enrolled.Name] is { } e && faces[p.Probe.Name] is { } q ? OpenCvFaceMatcher.LbphDistance(q, e) : null)))];
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
        text.AppendLine("| threshold | FAR | false accepts / different-person pairs | FRR | false rejects / same-person pairs |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var r in result.Rows)
        {
            var mark = r.Threshold == result.ChosenThreshold ? " (default)" : Math.Abs(r.Threshold - Math.Round(result.EerThreshold, 4)) < 1e-9 ? " (EER)" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"| {r.Threshold:0.####}{mark} | {100 * r.Far:0.00} % | {r.FalseAccepts} / {r.DifferentPairs} | {100 * r.Frr:0.0} % | {r.FalseRejects} / {r.SamePairs} |");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"EER {100 * result.Eer:0.0} % at threshold {result.EerThreshold:0.####}; {result.FramesWithoutFace} of {result.Frames} frames without a single face found (score 0 in all their pairs).");
        return text.ToString();
    }
}
