using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>
/// Each detector on frames of the evaluation set (people the project never tuned on, tests/Kiosk.FaceEvalSet): a frontal
/// face filling half the frame, two people side by side, no person. Ignored with the reason when the set or a model is missing.
/// </summary>
[TestFixture("Haar")]
[TestFixture("Lbp")]
[TestFixture("BlazeFace")]
[TestFixture("BlazeFaceFront")]
public sealed class FaceDetectorEvaluationTests(string detector)
{
    private FaceAnalyzer? _analyzer;

    [OneTimeSetUp]
    public void CreateAnalyzer() => _analyzer = new FaceAnalyzer(Models.Require(Models.Options(detector)));

    [OneTimeTearDown]
    public void DisposeAnalyzer() => _analyzer?.Dispose();

    [TestCase("scale-astronaut-w50")]
    [TestCase("scale-s3b-w50")]
    public void A_frontal_face_filling_half_the_frame_is_one_face_where_it_is(string name)
    {
        var (frame, result) = Analyze(name);
        Assert.That(result.Faces, Has.Count.EqualTo(1), string.Join("; ", result.Reasons));
        Assert.That(Score(frame, result).CountRight, Is.True, $"found {result.Faces[0]}, truth {frame.Faces[0]}");
        Assert.That(result.Verdict, Is.Not.EqualTo(FaceVerdict.NoFace));
    }

    [Test]
    public void Two_people_side_by_side_are_two_faces()
    {
        var (frame, result) = Analyze("two-astronaut-s3a");
        Assert.Multiple(() =>
        {
            Assert.That(result.FaceCount, Is.EqualTo(2));
            Assert.That(result.Found, Is.EqualTo("two faces"));
            Assert.That(result.Verdict, Is.EqualTo(FaceVerdict.MultipleFaces));
            Assert.That(result.Reasons[0], Does.StartWith("two faces"));
            Assert.That(Score(frame, result).CountRight, Is.True, "each box on one of the two people");
        });
    }

    [TestCase("none-coffee-whole")]
    [TestCase("none-page-whole")]
    [TestCase("none-text-whole")]
    public void A_frame_without_a_person_has_no_face(string name)
    {
        var (_, result) = Analyze(name);
        Assert.That(result.FaceCount, Is.Zero);
        Assert.That(result.Verdict, Is.EqualTo(FaceVerdict.NoFace));
        Assert.That(result.Found, Is.EqualTo("no face"));
    }

    private (FaceEvalImage Frame, FaceAnalysisResult Result) Analyze(string name)
    {
        var frame = Models.Frame(name);
        using var image = Cv2.ImRead(frame.Path, ImreadModes.Color);
        var result = _analyzer!.Analyze(image);
        Assert.That(result.Detector, Is.EqualTo(Models.Options(detector).Detector));
        return (frame, result);
    }

    private static FaceEvalScore Score(FaceEvalImage frame, FaceAnalysisResult result) =>
        FaceEvalScore.Of(frame, result.Faces.Select(f => new FaceEvalBox(f.X, f.Y, f.Width, f.Height)));
}
