using Kiosk.Devices.DocumentImaging;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentCamera;

/// <summary>
/// Not a check: writes each corner-accuracy scene with the placed corners (green rings) and the detected ones (red
/// dots) to the temp folder, and prints the errors, for looking at what the detector does. Run by name.
/// </summary>
[Explicit("writes debug images")]
public sealed class CornerDebugImages
{
    [TestCase(12, 0.10)]
    [TestCase(-17, 0.06)]
    [TestCase(20, 0.0)]
    public void Write(double degrees, double keystone)
    {
        using var scene = DeskScene.Create(degrees, keystone);
        var analysis = DocumentAnalyzer.Analyze(scene.Frame, new DocumentAnalysisSettings());
        using var image = scene.Frame.Clone();
        foreach (var placed in scene.Corners)
        {
            Cv2.Circle(image, (Point)placed, 12, Scalar.Lime, 2);
        }

        for (var i = 0; i < analysis.Corners.Count; i++)
        {
            var found = analysis.Corners[i];
            Cv2.Circle(image, new Point(found.X, found.Y), 6, Scalar.Red, -1);
            var error = Math.Sqrt(Math.Pow(found.X - scene.Corners[i].X, 2) + Math.Pow(found.Y - scene.Corners[i].Y, 2));
            TestContext.Out.WriteLine($"{degrees} deg, keystone {keystone}: corner {i} error {error:0.00} px = {100 * error / scene.PageDiagonal:0.000} % of the diagonal");
        }

        var path = Path.Combine(Path.GetTempPath(), $"page-corners_{degrees}_{keystone}.png");
        Cv2.ImWrite(path, image);
        TestContext.Out.WriteLine(path);
    }
}

/// <summary>Not a check: writes each evaluation-set page missed by more than 1 % with its true (green) and found (red) corners. Run by name.</summary>
[Explicit("writes debug images")]
public sealed class PageEvalMissImages
{
    [Test]
    public void Write()
    {
        if (Kiosk.TestSupport.PageEvalSet.Missing is { } missing)
        {
            Assert.Ignore(missing);
        }

        var folder = Path.Combine(Path.GetTempPath(), "page-misses");
        Directory.CreateDirectory(folder);
        foreach (var image in Kiosk.TestSupport.PageEvalSet.All.Where(i => i.Page))
        {
            using var frame = Cv2.ImRead(image.Path, ImreadModes.Color);
            var (corners, miss) = DocumentAnalyzer.Locate(frame);
            var share = corners.Count == 0 ? double.PositiveInfinity
                : Kiosk.TestSupport.PageEvalSet.CornerError(image.Corners, [.. corners.Select(c => (c.X, c.Y))]) / image.Diagonal;
            if (share <= 0.01)
            {
                continue;
            }

            foreach (var (x, y) in image.Corners)
            {
                Cv2.Circle(frame, new Point(x, y), 14, Scalar.Lime, 3);
            }

            foreach (var c in corners)
            {
                Cv2.Circle(frame, new Point(c.X, c.Y), 7, Scalar.Red, -1);
            }

            Cv2.ImWrite(Path.Combine(folder, image.Name + ".jpg"), frame);
            TestContext.Out.WriteLine($"{image.Name}: {share:P2} {miss} found {string.Join(" ", corners.Select(c => $"({c.X:0},{c.Y:0})"))} truth {string.Join(" ", image.Corners.Select(c => $"({c.Item1:0},{c.Item2:0})"))}");
        }
    }
}
