using System.Text.Json;
using Kiosk.Devices.FaceCamera;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

public sealed class FaceAnalyzerTests
{
    private FaceAnalyzer? _analyzer;

    [OneTimeSetUp]
    public void CreateAnalyzer()
    {
        Models.RequireDefault();
        _analyzer = new FaceAnalyzer(new FaceCameraOptions());
    }

    [OneTimeTearDown]
    public void DisposeAnalyzer() => _analyzer?.Dispose();

    [Test]
    public void The_astronaut_has_one_face_where_her_face_is()
    {
        using var photo = Photos.Load("astronaut.png");
        var result = _analyzer!.Analyze(photo);

        // Face measured once by drawing the box on the photograph: centre (223, 113), about 93 px wide.
        Assert.That(result.Faces, Has.Count.EqualTo(1));
        var face = result.Faces[0];
        Assert.That(face.CentreX, Is.InRange(200, 250));
        Assert.That(face.CentreY, Is.InRange(90, 140));
        Assert.That(face.Width, Is.InRange(80, 115));
        Assert.That(result.EyesFound, Is.True);
        Assert.That(result.EyeDistance, Is.InRange(35, 55));
        Assert.That(Math.Abs(result.RollDegrees), Is.LessThan(8));
        Assert.That(result.Verdict, Is.EqualTo(FaceVerdict.Accepted), string.Join("; ", result.Reasons));
        Assert.That(result.Score, Is.InRange(50, 100));
    }

    // Not coffee.png and chelsea.png: BlazeFace takes the cat's face (score 0.80) and the cup (0.65) for faces (README.md).
    [TestCase("page.png")]
    [TestCase("text.png")]
    public void A_photograph_without_a_person_has_no_face(string name)
    {
        using var photo = Photos.Load(name);
        var result = _analyzer!.Analyze(photo);
        Assert.That(result.Verdict, Is.EqualTo(FaceVerdict.NoFace));
        Assert.That(result.Faces, Is.Empty);
    }

    [Test]
    public void Two_people_side_by_side_are_two_faces()
    {
        using var photo = Photos.Load("astronaut.png");
        using var mirrored = new Mat();
        Cv2.Flip(photo, mirrored, FlipMode.Y);
        using var both = Photos.SideBySide(photo, mirrored);
        var result = _analyzer!.Analyze(both);
        Assert.That(result.Verdict, Is.EqualTo(FaceVerdict.MultipleFaces));
        Assert.That(result.Faces, Has.Count.EqualTo(2));
        Assert.That(result.Reasons[0], Does.Contain("two faces"));
        Assert.That((result.FaceCount, result.Found), Is.EqualTo((2, "two faces")));
    }

    [Test]
    public void A_blurred_frame_fails_sharpness_and_the_sharp_one_passes()
    {
        using var photo = Photos.Load("astronaut.png");
        using var blurred = Photos.Blurred(photo, 15);
        var sharp = _analyzer!.Analyze(photo);
        var soft = _analyzer!.Analyze(blurred);
        Assert.That(soft.Verdict, Is.EqualTo(FaceVerdict.PoorQuality));
        Assert.That(soft.Reasons, Has.Some.StartsWith("not sharp"));
        Assert.That(soft.Score, Is.LessThanOrEqualTo(49));
        Assert.That(sharp.Reasons, Has.None.StartsWith("not sharp"));
        Assert.That(soft.Sharpness, Is.LessThan(sharp.Sharpness));
    }

    [Test]
    public void A_face_too_small_for_the_options_fails_the_size_gate()
    {
        using var analyzer = new FaceAnalyzer(new FaceCameraOptions { MinFaceWidth = 150, MinEyeDistance = 60 });
        using var photo = Photos.Load("astronaut.png");
        var result = analyzer.Analyze(photo);
        Assert.That(result.Reasons, Has.Some.StartsWith("face too small"));
        Assert.That(result.Reasons, Has.Some.StartsWith("eyes too close"));
    }

    [Test]
    public void Encoded_bytes_are_analysed_like_the_image()
    {
        var result = _analyzer!.Analyze(File.ReadAllBytes(Kiosk.TestSupport.RepositoryPaths.TestDataFile("astronaut.png")));
        Assert.That(result.Faces, Has.Count.EqualTo(1));
        Assert.That((result.ImageWidth, result.ImageHeight), Is.EqualTo((512, 512)));
    }

    [Test]
    public void Bytes_that_are_no_image_and_a_blank_frame_are_unreadable()
    {
        Assert.That(_analyzer!.Analyze(new byte[] { 0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4 }).Verdict, Is.EqualTo(FaceVerdict.Unreadable));
        Assert.That(_analyzer!.Analyze(ReadOnlySpan<byte>.Empty).Verdict, Is.EqualTo(FaceVerdict.Unreadable));
        using var green = new Mat(480, 640, MatType.CV_8UC3, new Scalar(0, 135, 0));
        var blank = _analyzer!.Analyze(green);
        Assert.That(blank.Verdict, Is.EqualTo(FaceVerdict.Unreadable));
        Assert.That(blank.Reasons[0], Does.StartWith("blank frame"));
    }

    [Test]
    public void The_result_serialises_to_json_with_the_verdict_by_name()
    {
        using var photo = Photos.Load("astronaut.png");
        var json = JsonSerializer.Serialize(_analyzer!.Analyze(photo));
        Assert.That(json, Does.Contain("\"Verdict\":\"Accepted\""));
        Assert.That(json, Does.Contain("\"Faces\":[{\"X\":"));
    }

    [Test]
    public void Invalid_options_name_every_bad_key()
    {
        var options = new FaceCameraOptions { Source = "", Detector = FaceDetectorKind.Haar, CascadePath = "/nonexistent.xml", JpegQuality = 0, MinFaceWidth = 0 };
        var errors = string.Join("\n", options.Validate());
        Assert.That(errors, Does.Contain("Source").And.Contain("CascadePath").And.Contain("JpegQuality").And.Contain("MinFaceWidth"));
        Assert.Throws<ArgumentException>(() => _ = new FaceAnalyzer(options));
    }
}
