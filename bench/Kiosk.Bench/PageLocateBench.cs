using System.Diagnostics;
using Kiosk.Devices.DocumentImaging;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Bench;

/// <summary>
/// Page detection alone (no warp, no encoding) over every frame of the page evaluation set, the hard ones included
/// (shadowed corners, light desks, fingers, where the side search runs), against the detection part of the minimal
/// page finder on the same frames in alternation: grey, Gaussian blur, Otsu's threshold, external contours and the
/// largest one's approxPolyDP at 2 % (what <see cref="VisionBench"/>'s baseline does before its warp).
/// </summary>
internal static class PageLocateBench
{
    public sealed record Result(int Frames, Latencies Ours, Latencies Raw);

    public static Result Run(int passes)
    {
        var frames = PageEvalSet.All.Select(image => Cv2.ImRead(image.Path, ImreadModes.Color)).ToList();
        try
        {
            var ours = new Latencies();
            var raw = new Latencies();
            foreach (var frame in frames)
            {
                DocumentAnalyzer.Locate(frame);
                VisionBench.MinimalPageOutline(frame);
            }

            for (var pass = 0; pass < passes; pass++)
            {
                foreach (var frame in frames)
                {
                    var start = Stopwatch.GetTimestamp();
                    DocumentAnalyzer.Locate(frame);
                    var middle = Stopwatch.GetTimestamp();
                    VisionBench.MinimalPageOutline(frame);
                    ours.Add(Stopwatch.GetElapsedTime(start, middle));
                    raw.Add(Stopwatch.GetElapsedTime(middle));
                }
            }

            return new Result(frames.Count, ours, raw);
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }
}
