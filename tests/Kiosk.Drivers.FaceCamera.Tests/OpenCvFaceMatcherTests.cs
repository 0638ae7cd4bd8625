using Kiosk.Devices;
using Kiosk.Devices.FaceCamera;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

public sealed class OpenCvFaceMatcherTests
{
    private OpenCvFaceMatcher _matcher = null!;

    [OneTimeSetUp]
    public void CreateMatcher()
    {
        Models.RequireDefault();
        _matcher = new OpenCvFaceMatcher(new FaceMatcherOptions());
    }

    [OneTimeTearDown]
    public void DisposeMatcher() => _matcher?.Dispose();

    [Test]
    public async Task The_same_face_shifted_scaled_and_brightened_matches()
    {
        using var photo = Photos.Load("astronaut.png");
        using var moved = Photos.Moved(photo, 6, -4, 1.05, 15);
        var probe = Capture(moved);
        var match = await _matcher.MatchAsync(probe, Png(photo), CancellationToken.None);
        await TestContext.Out.WriteLineAsync($"same face: {match}");
        Assert.That(match.IsMatch, Is.True, match.ToString());
        Assert.That(match.Method, Is.EqualTo(OpenCvFaceMatcher.MethodName));
    }

    [Test]
    public async Task The_cameraman_does_not_match_the_astronaut()
    {
        using var photo = Photos.Load("astronaut.png");
        using var cameraman = Photos.Load("camera.png");
        var match = await _matcher.MatchAsync(Capture(cameraman), Png(photo), CancellationToken.None);
        // The cameraman is half in profile: the frontal cascade finds no face, so the score is 0.
        Assert.That(match.IsMatch, Is.False, match.ToString());
    }

    [Test]
    public void The_cameramans_face_crop_is_farther_from_the_astronaut_than_her_own_moved_face()
    {
        using var photo = Photos.Load("astronaut.png");
        using var moved = Photos.Moved(photo, 6, -4, 1.05, 15);
        var same = _matcher.Distance(Capture(moved).Image.Data.Span, Png(photo));
        Assert.That(same, Is.Not.Null, "the astronaut's face is found in both images");

        // The cameraman's face region measured by eye on camera.png (the cascade does not find it in profile).
        using var cameraman = Cv2.ImRead(Kiosk.TestSupport.RepositoryPaths.TestDataFile("camera.png"), ImreadModes.Grayscale);
        using var hisFace = FaceAligner.Align(cameraman, new DetectedFace(new Rect(175, 95, 85, 85), null, null));
        using var grey = new Mat();
        Cv2.CvtColor(photo, grey, ColorConversionCodes.BGR2GRAY);
        using var herFace = FaceAligner.Align(grey, new DetectedFace(new Rect(177, 67, 93, 93), null, null));
        var other = OpenCvFaceMatcher.LbphDistance(hisFace, herFace);
        TestContext.Out.WriteLine($"LBPH chi-square distance: same face {same:0.0}, other face {other:0.0}");
        Assert.That(other, Is.GreaterThan(same!.Value * 1.5));
        Assert.That(Math.Pow(2, -other / new FaceMatcherOptions().DistanceAtHalf), Is.LessThan(new FaceMatcherOptions().Threshold));
    }

    private static byte[] Png(Mat image)
    {
        Cv2.ImEncode(".png", image, out var bytes);
        return bytes;
    }

    private static FaceCapture Capture(Mat image)
    {
        Cv2.ImEncode(".jpg", image, out var jpeg);
        return new FaceCapture(new CapturedImage(jpeg, "image/jpeg", image.Width, image.Height), new FaceQuality { FaceCount = 1, Score = 80 });
    }
}
