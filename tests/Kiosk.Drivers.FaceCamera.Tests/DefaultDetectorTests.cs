using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>
/// Why BlazeFace is the default: the reported failure (a half-frame face Haar calls "no face") and the default's
/// numbers on the whole evaluation set, held to a little below what was measured (drivers/Kiosk.Devices.FaceCamera/README.md).
/// </summary>
public sealed class DefaultDetectorTests
{
    [Test]
    public void The_default_detector_is_BlazeFace() =>
        Assert.That(new FaceCameraOptions().Detector, Is.EqualTo(FaceDetectorKind.BlazeFace));

    [Test]
    public void A_half_frame_face_the_Haar_cascade_calls_no_face_is_found_by_the_default()
    {
        // The reported failure, on a person the project never tuned on: Haar finds nothing, BlazeFace finds her.
        var frame = Models.Frame("scale-s5d-w50");
        using var image = Cv2.ImRead(frame.Path, ImreadModes.Color);
        using var haar = new FaceAnalyzer(Models.Options("Haar"));
        using var blazeFace = new FaceAnalyzer(Models.Require(new FaceCameraOptions()));

        var before = haar.Analyze(image);
        var after = blazeFace.Analyze(image);

        Assert.That(before.Verdict, Is.EqualTo(FaceVerdict.NoFace));
        Assert.That(after.FaceCount, Is.EqualTo(1));
        Assert.That(FaceEvalScore.Of(frame, after.Faces.Select(f => new FaceEvalBox(f.X, f.Y, f.Width, f.Height))).CountRight, Is.True);
    }

    [Test]
    public void On_the_whole_evaluation_set_the_default_finds_the_faces_and_counts_two_people()
    {
        var options = Models.Require(new FaceCameraOptions());
        Models.Frame("scale-astronaut-w50");
        using var analyzer = new FaceAnalyzer(options);
        int faces = 0, found = 0, twoRight = 0, twoFrames = 0, noneWrong = 0, falsePositives = 0;
        foreach (var frame in FaceEvalSet.All)
        {
            using var image = Cv2.ImRead(frame.Path, ImreadModes.Color);
            var result = analyzer.Analyze(image);
            var score = FaceEvalScore.Of(frame, result.Faces.Select(f => new FaceEvalBox(f.X, f.Y, f.Width, f.Height)));
            faces += score.Faces;
            found += score.Found;
            falsePositives += score.FalsePositives;
            if (frame.Category == "two")
            {
                twoFrames++;
                twoRight += score.CountRight ? 1 : 0;
            }

            noneWrong += frame.Category == "none" && score.FalsePositives > 0 ? 1 : 0;
        }

        // Measured: 98.9 % found, 23/23 two-person frames right, 6/38 frames without a person with a false face, 10
        // false positives in 406 frames.
        Assert.Multiple(() =>
        {
            Assert.That(100.0 * found / faces, Is.GreaterThanOrEqualTo(97));
            Assert.That(twoRight, Is.GreaterThanOrEqualTo(twoFrames - 1));
            Assert.That(noneWrong, Is.LessThanOrEqualTo(8));
            Assert.That(falsePositives, Is.LessThanOrEqualTo(15));
        });
    }
}
