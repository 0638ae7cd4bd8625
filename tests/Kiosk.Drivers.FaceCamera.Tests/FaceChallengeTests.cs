using System.Diagnostics;
using Kiosk.Devices;
using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>
/// The active liveness challenge through the whole camera (frames written as an image sequence, read back by OpenCV), on
/// synthetic sequences made from real photographs (<see cref="ChallengeSequences"/>): a person who turns or blinks on cue
/// passes; a still photo, a photo slid across the view, a flat photo turned, and a turn the wrong way fail.
/// </summary>
public sealed class FaceChallengeTests
{
    // People of the test photographs who face the camera (estimated yaw within the frontal 12 degrees): Debian's astronaut
    // at its own size and composed at 30 % of a 640x480 frame, and one person of face-api's group photographs.
    private static readonly string[] Frontal = ["astronaut.png", "scale-astronaut-w30", "scale-s5a-w30"];

    // For the blink also people whose faces are not frontal: openness does not need the nose.
    private static readonly string[] Blinkers = [.. Frontal, "scale-s1a-w30", "scale-s2b-w30", "scale-s3a-w30", "scale-s6a-w30"];

    private FaceAnalyzer? _analyzer;

    [OneTimeSetUp]
    public void CreateAnalyzer()
    {
        Models.RequireDefault();
        _analyzer = new FaceAnalyzer(new FaceCameraOptions());
    }

    [OneTimeTearDown]
    public void DisposeAnalyzer() => _analyzer?.Dispose();

    [TestCaseSource(nameof(Frontal))]
    public async Task A_head_turned_the_asked_way_is_done_and_a_frontal_frame_is_the_capture(string person)
    {
        using var photo = Load(person);
        var face = ChallengeSequences.KeyPoints(_analyzer!, photo);
        foreach (var (asked, degrees) in new[] { (FaceChallenge.TurnLeft, 45.0), (FaceChallenge.TurnRight, -45.0) })
        {
            var capture = await CaptureAsync(ChallengeSequences.HeadTurn(photo, face, degrees), asked);
            var outcome = capture.Quality.Challenge!;
            Assert.Multiple(() =>
            {
                Assert.That(outcome.Asked, Is.EqualTo(asked));
                Assert.That(outcome.Done, Is.True, $"{asked}: {outcome}");
                Assert.That(capture.Quality.LivenessPassed, Is.True);
                Assert.That(outcome.TurnYawDegrees, Is.GreaterThanOrEqualTo(15), outcome.ToString());
                Assert.That(Math.Abs(outcome.FrontalYawDegrees!.Value), Is.LessThanOrEqualTo(12), outcome.ToString());
                // Decided as soon as the turn was seen: the frontal frames and the turn up to 15 degrees, not the way back.
                Assert.That(outcome.Frames, Is.LessThan(14), outcome.ToString());
            });
            AssertFrontal(capture);
            await TestContext.Out.WriteLineAsync($"{person} {asked}: {outcome}");
        }
    }

    [TestCaseSource(nameof(Frontal))]
    public async Task A_head_turned_the_other_way_fails(string person)
    {
        using var photo = Load(person);
        var face = ChallengeSequences.KeyPoints(_analyzer!, photo);
        var capture = await CaptureAsync(ChallengeSequences.HeadTurn(photo, face, -45), FaceChallenge.TurnLeft);
        var outcome = capture.Quality.Challenge!;
        Assert.That(outcome.Done, Is.False, outcome.ToString());
        Assert.That(capture.Quality.LivenessPassed, Is.False);
        Assert.That(outcome.Reason, Does.Contain("other way").And.Contain("right instead of left"));
        Assert.That(outcome.TurnYawDegrees, Is.LessThanOrEqualTo(-15));
    }

    [TestCaseSource(nameof(Blinkers))]
    public async Task A_blink_is_done_and_an_open_eyed_frame_is_the_capture(string person)
    {
        using var photo = Load(person);
        var face = ChallengeSequences.KeyPoints(_analyzer!, photo);
        var capture = await CaptureAsync(ChallengeSequences.Blink(photo, face), FaceChallenge.Blink);
        var outcome = capture.Quality.Challenge!;
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Done, Is.True, outcome.ToString());
            Assert.That(capture.Quality.LivenessPassed, Is.True);
            Assert.That(outcome.Blinks, Is.EqualTo(1));
            Assert.That(outcome.LowestEyeOpenness, Is.LessThanOrEqualTo(0.5));
        });
        // The capture has the eyes open: it is not one of the covered frames.
        using var delivered = Cv2.ImDecode(capture.Image.Data.ToArray(), ImreadModes.Color);
        var (_, found) = _analyzer!.AnalyzeFrame(delivered);
        using var grey = FaceAnalyzer.TryToGrey(delivered)!;
        var open = FaceChallengeMeasures.EyeOpenness(grey, found!.LeftEye!.Value, found.RightEye!.Value);
        using var original = FaceAnalyzer.TryToGrey(photo)!;
        var reference = FaceChallengeMeasures.EyeOpenness(original, face.LeftEye!.Value, face.RightEye!.Value)!.Value;
        Assert.That(open, Is.GreaterThan(reference * 0.7), "the delivered frame has its eyes open");
        await TestContext.Out.WriteLineAsync($"{person}: {outcome}");
    }

    [TestCaseSource(nameof(Frontal))]
    public async Task A_still_photo_fails_every_challenge(string person)
    {
        using var photo = Load(person);
        foreach (var asked in new[] { FaceChallenge.Blink, FaceChallenge.TurnLeft, FaceChallenge.TurnRight })
        {
            var capture = await CaptureAsync(Enumerable.Range(0, 30).Select(_ => photo.Clone()).ToList(), asked);
            var outcome = capture.Quality.Challenge!;
            Assert.That(outcome.Done, Is.False, $"{asked}: {outcome}");
            Assert.That(capture.Quality.LivenessPassed, Is.False);
            Assert.That(outcome.Frames, Is.EqualTo(30), "the whole window was watched");
            Assert.That(outcome.Reason, Does.StartWith(asked == FaceChallenge.Blink ? "no blink seen" : "no turn to the"));
        }
    }

    [TestCaseSource(nameof(Frontal))]
    public async Task A_photo_slid_across_the_view_fails_every_challenge(string person)
    {
        using var photo = Load(person);
        foreach (var asked in new[] { FaceChallenge.Blink, FaceChallenge.TurnLeft, FaceChallenge.TurnRight })
        {
            var capture = await CaptureAsync(ChallengeSequences.Slid(photo, 24, 5), asked);
            Assert.That(capture.Quality.Challenge!.Done, Is.False, $"{asked}: {capture.Quality.Challenge}");
        }
    }

    [TestCaseSource(nameof(Frontal))]
    public async Task A_flat_photo_turned_40_degrees_does_not_pass_for_a_head_turn(string person)
    {
        using var photo = Load(person);
        var face = ChallengeSequences.KeyPoints(_analyzer!, photo);
        foreach (var (asked, degrees) in new[] { (FaceChallenge.TurnLeft, 40.0), (FaceChallenge.TurnLeft, -40.0), (FaceChallenge.TurnRight, 40.0), (FaceChallenge.TurnRight, -40.0) })
        {
            var capture = await CaptureAsync(ChallengeSequences.PhotoTurn(photo, face, degrees), asked);
            var outcome = capture.Quality.Challenge!;
            Assert.That(outcome.Done, Is.False, $"{asked}, photo turned {degrees}: {outcome}");
            await TestContext.Out.WriteLineAsync($"{person} photo turned {degrees} asked {asked}: {outcome.TurnYawDegrees}");
        }
    }

    [Test]
    public async Task A_cascade_detector_cannot_decide_a_turn_and_says_why_but_still_delivers_the_face()
    {
        using var photo = Photos.Load("astronaut.png");
        using var analyzer = new FaceAnalyzer(new FaceCameraOptions());
        var face = ChallengeSequences.KeyPoints(analyzer, photo);
        var capture = await CaptureAsync(ChallengeSequences.HeadTurn(photo, face, 45), FaceChallenge.TurnLeft, Models.Options("Haar"));
        var outcome = capture.Quality.Challenge!;
        Assert.That(outcome.Done, Is.False);
        Assert.That(outcome.Reason, Does.Contain("nose tip").And.Contain("Haar"));
        Assert.That(capture.Image.Data.Length, Is.GreaterThan(0));
    }

    [Test]
    public async Task Without_a_challenge_the_capture_has_no_challenge_outcome()
    {
        using var photo = Photos.Load("astronaut.png");
        var capture = await CaptureAsync(Photos.LiveBurst(photo, 5), FaceChallenge.None);
        Assert.That(capture.Quality.Challenge, Is.Null);
        Assert.That(capture.Quality.LivenessPassed, Is.True);
    }

    [Test]
    public async Task Pipeline_time_with_a_challenge_for_640x480_frames_is_printed()
    {
        using var photo = Load("scale-astronaut-w30");
        const int frames = 30;
        using var folder = new TempFolder("face-challenge");
        var still = Enumerable.Range(0, frames).Select(i => ChallengeSequences.Swayed(photo, i)).ToList();
        var source = Photos.WriteSequence(folder.Path, still);
        Photos.DisposeAll(still);
        var times = new List<string>();
        foreach (var asked in new[] { FaceChallenge.None, FaceChallenge.Blink, FaceChallenge.TurnLeft })
        {
            var request = new FaceCaptureRequest { BurstFrames = frames, Challenge = asked };
            await CaptureAsync(source, request);
            var watch = Stopwatch.StartNew();
            var capture = await CaptureAsync(source, request);
            watch.Stop();
            Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
            times.Add($"{asked}: {watch.Elapsed.TotalMilliseconds / frames:0.0}");
        }

        await TestContext.Out.WriteLineAsync($"640x480 full pipeline ms/frame over {frames} frames (includes open): {string.Join(", ", times)}");
    }

    private static Mat Load(string person) => person.EndsWith(".png", StringComparison.Ordinal)
        ? Photos.Load(person)
        : Cv2.ImRead(Models.Frame(person).Path, ImreadModes.Color);

    private void AssertFrontal(FaceCapture capture)
    {
        using var delivered = Cv2.ImDecode(capture.Image.Data.ToArray(), ImreadModes.Color);
        var (_, found) = _analyzer!.AnalyzeFrame(delivered);
        Assert.That(found, Is.Not.Null, "one face in the delivered frame");
        Assert.That(Math.Abs(FaceChallengeMeasures.YawDegrees(found!)!.Value), Is.LessThanOrEqualTo(12), "the delivered frame faces the camera");
    }

    private static async Task<FaceCapture> CaptureAsync(IReadOnlyList<Mat> frames, FaceChallenge challenge, FaceCameraOptions? options = null)
    {
        using var folder = new TempFolder("face-challenge");
        var source = Photos.WriteSequence(folder.Path, frames);
        Photos.DisposeAll(frames);
        var capture = await CaptureAsync(source, new FaceCaptureRequest { Challenge = challenge }, options);
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        return capture.Value!;
    }

    private static async Task<DeviceResult<FaceCapture>> CaptureAsync(string source, FaceCaptureRequest request, FaceCameraOptions? options = null)
    {
        var configured = options ?? new FaceCameraOptions();
        configured.Source = source;
        await using var camera = new OpenCvFaceCamera("faceCamera", Models.Require(configured), TimeProvider.System);
        var opened = await camera.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.Success), opened.ToString());
        using var claim = (await camera.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        return await camera.CaptureFaceAsync(claim, request, CancellationToken.None);
    }
}
