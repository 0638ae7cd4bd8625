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
