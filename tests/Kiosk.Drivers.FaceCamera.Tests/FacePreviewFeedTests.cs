using Kiosk.Devices;
using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using Microsoft.Extensions.Time.Testing;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>
/// The camera's live preview on the real photographs: a small in-memory JPEG of each analysed frame (at most ten a second),
/// the face box scaled to it, and the hint from the frame's own analysis; nothing at all without a listener.
/// </summary>
public sealed class FacePreviewFeedTests
{
    private static readonly FaceCameraOptions Options = new();

    [Test]
    public async Task A_capture_with_a_listener_previews_the_face_boxed_in_a_small_jpeg_and_says_hold_still()
    {
        using var folder = new TempFolder("face-preview");
        using var photo = Photos.Load("astronaut.png");
        var previews = new Previews();
        var capture = await CaptureAsync(Sequence(folder, Photos.LiveBurst(photo, 5)), new FaceCaptureRequest { BurstFrames = 5, Preview = previews });

        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        var all = previews.All;
        Assert.That(all, Is.Not.Empty, "the first analysed frame is always shown");
        foreach (var preview in all)
        {
            AssertSmallJpeg(preview.Frame);
            if (preview.Face is { } box)
            {
                Assert.That(box.X + box.Width, Is.InRange(1, preview.Frame.Width), "the box lies inside the frame");
                Assert.That(box.Y + box.Height, Is.InRange(1, preview.Frame.Height));
            }
        }

        // The first frame of the burst is the photograph as it is: one face, every gate passed.
        var first = all[0];
        Assert.That(first.Hint, Is.EqualTo(FaceHint.HoldStill));
        var face = first.Face!.Value;
        // Her face (centre 223, 113 in the 512 px photograph) scaled to the preview.
        var scale = first.Frame.Width / 512.0;
        Assert.That(face.X + (face.Width / 2.0), Is.EqualTo(223 * scale).Within(15));
        Assert.That(face.Y + (face.Height / 2.0), Is.EqualTo(113 * scale).Within(15));
    }

    [Test]
    public async Task Without_a_listener_the_capture_is_the_same_as_with_one()
    {
        using var folder = new TempFolder("face-preview");
        using var photo = Photos.Load("astronaut.png");
        var source = Sequence(folder, Photos.LiveBurst(photo, 5));
        var previews = new Previews();

        var plain = await CaptureAsync(source, new FaceCaptureRequest { BurstFrames = 5 });
        var watched = await CaptureAsync(source, new FaceCaptureRequest { BurstFrames = 5, Preview = previews });

        Assert.That(FacePreviewFeed.For(null, Options, TimeProvider.System), Is.Null, "no listener, no feed: nothing is scaled or encoded");
        Assert.That(plain.Code, Is.EqualTo(CompletionCode.Success), plain.ToString());
        Assert.That(previews.All, Is.Not.Empty);
        Assert.That(watched.Value!.Quality, Is.EqualTo(plain.Value!.Quality));
        Assert.That(watched.Value.Image.Data.ToArray(), Is.EqualTo(plain.Value.Image.Data.ToArray()), "the same best frame, encoded the same");
    }

    [Test]
    public async Task A_listener_that_throws_loses_its_previews_not_the_capture()
    {
        using var folder = new TempFolder("face-preview");
        using var photo = Photos.Load("astronaut.png");
        var capture = await CaptureAsync(Sequence(folder, Photos.LiveBurst(photo, 5)), new FaceCaptureRequest { BurstFrames = 5, Preview = new Progress(_ => throw new InvalidOperationException("screen gone")) });
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
    }

    [Test]
    public void A_frame_without_a_person_says_stand_in_front_of_the_camera()
    {
        // A printed page: BlazeFace, the default detector, takes the cup in coffee.png for a face (its README, "Limits").
        using var page = Photos.Load("page.png");
        var preview = PreviewOf(page);
        Assert.That(preview.Hint, Is.EqualTo(FaceHint.NoFace));
        Assert.That(preview.Face, Is.Null);
        AssertSmallJpeg(preview.Frame);
    }

    [Test]
    public void A_darkened_face_asks_for_more_light()
    {
        using var photo = Photos.Load("astronaut.png");
        using var dark = new Mat();
        photo.ConvertTo(dark, -1, 0.25, 0);
        Assert.That(PreviewOf(dark).Hint, Is.EqualTo(FaceHint.MoreLight));
    }

    [Test]
    public void Two_people_are_told_only_one_may_stand_there_and_no_face_is_boxed()
    {
        using var photo = Photos.Load("astronaut.png");
        using var mirrored = new Mat();
        Cv2.Flip(photo, mirrored, FlipMode.Y);
        using var both = Photos.SideBySide(photo, mirrored);
        var preview = PreviewOf(both);
        Assert.That(preview.Hint, Is.EqualTo(FaceHint.OneFaceOnly));
        Assert.That(preview.Face, Is.Null);
        Assert.That(preview.Frame.Width, Is.EqualTo(FacePreviewFeed.MaxWidth), "a 1024 px wide frame is scaled down");
    }

    [Test]
    public void A_face_too_small_or_too_large_for_the_gates_asks_to_move_closer_or_back()
    {
        using var photo = Photos.Load("astronaut.png");
        Assert.That(PreviewOf(photo, new FaceCameraOptions { MinFaceWidth = 150, MinEyeDistance = 60 }).Hint, Is.EqualTo(FaceHint.MoveCloser));
        // Her face is about 0.18 of the photograph's width.
        Assert.That(PreviewOf(photo, new FaceCameraOptions { MaxFaceWidthFraction = 0.12 }).Hint, Is.EqualTo(FaceHint.MoveBack));
    }

    [Test]
    public void A_blurred_face_asks_to_look_at_the_camera()
    {
        using var photo = Photos.Load("astronaut.png");
        using var blurred = Photos.Blurred(photo, 15);
        Assert.That(PreviewOf(blurred).Hint, Is.EqualTo(FaceHint.LookAtCamera));
    }

    [Test]
    public void At_most_one_preview_is_sent_per_tenth_of_a_second()
    {
        using var analyzer = new FaceAnalyzer(Options);
        using var photo = Photos.Load("astronaut.png");
        var (analysis, _) = analyzer.AnalyzeFrame(photo);
        var time = new FakeTimeProvider();
        var previews = new Previews();
        var feed = FacePreviewFeed.For(previews, Options, time)!;

        for (var i = 0; i < 5; i++)
        {
            feed.Offer(photo, analysis);
        }

        Assert.That(previews.All, Has.Count.EqualTo(1), "five frames at once: the first is shown");
        time.Advance(FacePreviewFeed.MinInterval - TimeSpan.FromMilliseconds(1));
        feed.Offer(photo, analysis);
        Assert.That(previews.All, Has.Count.EqualTo(1));
        time.Advance(TimeSpan.FromMilliseconds(1));
        feed.Offer(photo, analysis);
        Assert.That(previews.All, Has.Count.EqualTo(2));
    }

    private static FacePreview PreviewOf(Mat frame, FaceCameraOptions? options = null)
    {
        options ??= Options;
        using var analyzer = new FaceAnalyzer(options);
        var (analysis, _) = analyzer.AnalyzeFrame(frame);
        var previews = new Previews();
        FacePreviewFeed.For(previews, options, new FakeTimeProvider())!.Offer(frame, analysis);
        return previews.All.Single();
    }

    private static void AssertSmallJpeg(CapturedImage frame)
    {
        Assert.That(frame.ContentType, Is.EqualTo("image/jpeg"));
        Assert.That(frame.Width, Is.InRange(1, FacePreviewFeed.MaxWidth));
        using var decoded = Cv2.ImDecode(frame.Data.ToArray(), ImreadModes.Color);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((frame.Width, frame.Height)), "the JPEG is the size it states");
    }

    private static string Sequence(TempFolder folder, IReadOnlyList<Mat> frames)
    {
        var pattern = Photos.WriteSequence(folder.Path, frames);
        Photos.DisposeAll(frames);
        return pattern;
    }

    private static async Task<DeviceResult<FaceCapture>> CaptureAsync(string source, FaceCaptureRequest request)
    {
        await using var camera = new OpenCvFaceCamera("faceCamera", new FaceCameraOptions { Source = source }, TimeProvider.System);
        var opened = await camera.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.Success), opened.ToString());
        using var claim = (await camera.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        return await camera.CaptureFaceAsync(claim, request, CancellationToken.None);
    }

    /// <summary>Keeps every preview reported, from whichever thread the capture runs on.</summary>
    private sealed class Previews : IProgress<FacePreview>
    {
        private readonly List<FacePreview> _all = [];

        public IReadOnlyList<FacePreview> All
        {
            get
            {
                lock (_all)
                {
                    return [.. _all];
                }
            }
        }

        public void Report(FacePreview value)
        {
            lock (_all)
            {
                _all.Add(value);
            }
        }
    }

    private sealed class Progress(Action<FacePreview> report) : IProgress<FacePreview>
    {
        public void Report(FacePreview value) => report(value);
    }
}
