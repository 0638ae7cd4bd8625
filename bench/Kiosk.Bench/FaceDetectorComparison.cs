using System.Diagnostics;
using System.Globalization;
using System.Text;
using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Bench;

/// <summary>
/// The face detectors side by side on the evaluation set (tests/data/fetch-face-eval-set.sh): faces found per scenario,
/// false positives, frames whose face count is right, and milliseconds per 640x480 frame on one thread. The detectors
/// take turns frame by frame (the first one rotating), so a busy moment of the machine falls on all of them alike.
/// </summary>
internal static class FaceDetectorComparison
{
    public sealed record Row(string Name, string Key, Dictionary<string, Tally> Tallies, double MeanMs, double P95Ms);

    public sealed class Tally
    {
        public int Frames { get; set; }
        public int Faces { get; set; }
        public int Found { get; set; }
        public int FalsePositives { get; set; }
        public int CountRight { get; set; }

        public void Add(FaceEvalScore score)
        {
            Frames++;
            Faces += score.Faces;
            Found += score.Found;
            FalsePositives += score.FalsePositives;
            CountRight += score.CountRight ? 1 : 0;
        }
    }

    /// <summary>The scenarios, in the order of the table: scale is split by face width (percent of the frame width).</summary>
    public static IReadOnlyList<string> Groups { get; } = ["scale 10-15 %", "scale 20-30 %", "scale 40-70 %", "position", "light", "blur", "two", "none", "all"];

    /// <param name="misses">Told each frame a detector got wrong: detector, frame name, score.</param>
    public static IReadOnlyList<Row> Run(int passes, Action<string, string, FaceEvalScore>? misses = null)
    {
        var images = FaceEvalSet.All;
        var modelFolder = Path.GetDirectoryName(FaceCameraOptions.DefaultBlazeFaceModelPath)!;
        (string Name, string Key, FaceCameraOptions Options)[] variants =
        [
            ("Haar frontalface_default", "haar", new FaceCameraOptions { Detector = FaceDetectorKind.Haar }),
            ("LBP frontalface_improved", "lbp", new FaceCameraOptions { Detector = FaceDetectorKind.Lbp }),
            ("BlazeFace front 128", "blazeface_front", new FaceCameraOptions { Detector = FaceDetectorKind.BlazeFace, BlazeFaceModelPath = Path.Combine(modelFolder, "face_detection_front_128x128_barracuda.onnx") }),
            ("BlazeFace back 256", "blazeface_back", new FaceCameraOptions { Detector = FaceDetectorKind.BlazeFace, BlazeFaceModelPath = Path.Combine(modelFolder, "face_detection_back_256x256_barracuda.onnx") }),
            ("BlazeFace front 128, score >= 0.75", "blazeface_front_075", new FaceCameraOptions { Detector = FaceDetectorKind.BlazeFace, MinDetectionScore = 0.75, BlazeFaceModelPath = Path.Combine(modelFolder, "face_detection_front_128x128_barracuda.onnx") }),
            ("BlazeFace back 256, score >= 0.75", "blazeface_back_075", new FaceCameraOptions { Detector = FaceDetectorKind.BlazeFace, MinDetectionScore = 0.75, BlazeFaceModelPath = Path.Combine(modelFolder, "face_detection_back_256x256_barracuda.onnx") }),
        ];
        var detectors = variants.Select(v => FaceDetectors.Create(v.Options)).ToArray();
        var tallies = variants.Select(_ => Groups.ToDictionary(g => g, _ => new Tally())).ToArray();
        var times = variants.Select(_ => new List<double>()).ToArray();
        try
        {
            for (var pass = 0; pass < passes; pass++)
            {
                for (var n = 0; n < images.Count; n++)
                {
                    var image = images[n];
                    using var colour = Cv2.ImRead(image.Path, ImreadModes.Color);
                    using var grey = new Mat();
                    Cv2.CvtColor(colour, grey, ColorConversionCodes.BGR2GRAY);
                    for (var k = 0; k < detectors.Length; k++)
                    {
                        var d = (k + n) % detectors.Length;
                        var start = Stopwatch.GetTimestamp();
                        var faces = detectors[d].Detect(colour, grey);
                        times[d].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                        if (pass > 0)
                        {
                            continue;
                        }

                        var score = FaceEvalScore.Of(image, faces.Select(f => new FaceEvalBox(f.Box.X, f.Box.Y, f.Box.Width, f.Box.Height)));
                        tallies[d][GroupOf(image)].Add(score);
                        if (!score.CountRight)
                        {
                            misses?.Invoke(variants[d].Key, image.Name, score);
                        }

                        tallies[d]["all"].Add(score);
                    }
                }
            }
        }
        finally
        {
            foreach (var detector in detectors)
            {
                detector.Dispose();
            }
        }

        return [.. variants.Select((v, i) =>
        {
            var sorted = times[i].Order().ToList();
            return new Row(v.Name, v.Key, tallies[i], sorted.Average(), sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1]);
        })];
    }

    /// <summary>The comparison as a Markdown table (faces found / faces; for two and none, frames with the right count).</summary>
    public static string Table(IReadOnlyList<Row> rows)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"| detector | {string.Join(" | ", Groups.Take(6))} | two: count 2 | none: no face | false positives | all: count right | ms/frame mean | p95 |");
        text.AppendLine("|---|" + string.Concat(Enumerable.Repeat("---|", 12)));
        foreach (var row in rows)
        {
            var cells = Groups.Take(6).Select(g => Found(row.Tallies[g]));
            var two = row.Tallies["two"];
            var none = row.Tallies["none"];
            var all = row.Tallies["all"];
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Name} | {string.Join(" | ", cells)} | {two.CountRight}/{two.Frames} | {none.CountRight}/{none.Frames} | {all.FalsePositives} | {all.CountRight}/{all.Frames} | {row.MeanMs:0.0} | {row.P95Ms:0.0} |");
        }

        return text.ToString();
    }

    private static string Found(Tally t) => string.Create(CultureInfo.InvariantCulture, $"{t.Found}/{t.Faces} ({100.0 * t.Found / Math.Max(1, t.Faces):0}%)");

    private static string GroupOf(FaceEvalImage image) => image.Category switch
    {
        "scale" when int.Parse(image.Variant.AsSpan(1), CultureInfo.InvariantCulture) <= 15 => "scale 10-15 %",
        "scale" when int.Parse(image.Variant.AsSpan(1), CultureInfo.InvariantCulture) <= 30 => "scale 20-30 %",
        "scale" => "scale 40-70 %",
        _ => image.Category,
    };
}
