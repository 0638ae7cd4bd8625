using System.Diagnostics;
using Kiosk.Devices;
using Kiosk.Devices.FaceCamera;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.FaceCamera.Tests;

/// <summary>The driver beyond the contract: liveness, best frame, unplug and replug, a video file, the pipeline's speed.</summary>
public sealed class OpenCvFaceCameraTests
{
    private static readonly FaceCaptureRequest Request = new() { BurstFrames = 5 };

    [Test]
    public async Task A_person_moving_slightly_passes_liveness_and_is_delivered_as_jpeg()
    {
        using var folder = new TempFolder("face-camera");
        using var photo = Photos.Load("astronaut.png");
        var capture = await CaptureAsync(Sequence(folder, Photos.LiveBurst(photo, 5)));
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        var face = capture.Value!;
        Assert.That(face.Quality.LivenessPassed, Is.True);
        Assert.That(face.Quality.Score, Is.InRange(50, 100));
        using var decoded = Cv2.ImDecode(face.Image.Data.ToArray(), ImreadModes.Color);
        Assert.That((decoded.Width, decoded.Height), Is.EqualTo((face.Image.Width, face.Image.Height)));
    }

    [Test]
    public async Task A_still_picture_repeated_fails_liveness()
    {
        using var folder = new TempFolder("face-camera");
        using var photo = Photos.Load("astronaut.png");
        var capture = await CaptureAsync(Sequence(folder, Photos.StillBurst(photo, 5)));
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        Assert.That(capture.Value!.Quality.LivenessPassed, Is.False);
    }

    [Test]
    public async Task The_sharpest_frame_of_the_burst_is_chosen()
    {
        using var folder = new TempFolder("face-camera");
        using var photo = Photos.Load("astronaut.png");
        var frames = new List<Mat> { Photos.Blurred(photo, 15), photo.Clone(), Photos.Blurred(photo, 11) };
        var capture = await CaptureAsync(Sequence(folder, frames), new FaceCaptureRequest { BurstFrames = 3 });
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        // The unblurred frame: Gaussian 11/15 blur puts the normalised sharpness below 0.2 (gate at 1/3).
        Assert.That(capture.Value!.Quality.Sharpness, Is.GreaterThan(0.5), "the sharp frame is delivered");
    }

    [Test]
    public async Task A_source_that_cannot_be_opened_is_not_ready_and_no_device_until_it_appears()
    {
        using var folder = new TempFolder("face-camera");
        var pattern = Path.Combine(folder.Path, "frame_%03d.png");
        await using var camera = new OpenCvFaceCamera("faceCamera", Models.Require(new FaceCameraOptions { Source = pattern }), TimeProvider.System);
        var opened = await camera.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.DeviceNotReady), opened.ToString());
        Assert.That(camera.Status, Is.EqualTo(DeviceStatus.NoDevice));

        using var photo = Photos.Load("astronaut.png");
        Sequence(folder, Photos.LiveBurst(photo, 5));
        using var claim = (await camera.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var capture = await camera.CaptureFaceAsync(claim, Request, CancellationToken.None);
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        Assert.That(camera.Status, Is.EqualTo(DeviceStatus.Online));
    }

    [Test]
    public async Task A_video_file_is_a_source_too()
    {
        using var folder = new TempFolder("face-camera");
        var path = folder.File("visit.avi");
        using var photo = Photos.Load("astronaut.png");
        using (var writer = new VideoWriter(path, FourCC.MJPG, 10, photo.Size()))
        {
            Assume.That(writer.IsOpened(), Is.True, "this OpenCV build cannot write MJPG/AVI");
            foreach (var frame in Photos.LiveBurst(photo, 5))
            {
                writer.Write(frame);
                frame.Dispose();
            }
        }

        var capture = await CaptureAsync(path);
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        Assert.That(capture.Value!.Quality.FaceCount, Is.EqualTo(1));
    }

    [Test]
    public void Invalid_options_stop_construction_with_every_key_named()
    {
        var error = Assert.Throws<ArgumentException>(() => _ = new OpenCvFaceCamera("faceCamera", new FaceCameraOptions { Source = " ", JpegQuality = 101 }, TimeProvider.System));
        Assert.That(error!.Message, Does.Contain("Source").And.Contain("JpegQuality"));
    }

    [Test]
    public async Task Pipeline_time_for_640x480_frames_is_printed()
    {
        using var folder = new TempFolder("face-camera");
        using var photo = Photos.Load("astronaut.png");
        using var canvas = Photos.OnCanvas(photo, 640, 480);
        var request = new FaceCaptureRequest { BurstFrames = 10 };
        var source = Sequence(folder, Photos.LiveBurst(canvas, request.BurstFrames));
        await CaptureAsync(source, request);
        var watch = Stopwatch.StartNew();
        var capture = await CaptureAsync(source, request);
        watch.Stop();
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        await TestContext.Out.WriteLineAsync($"640x480 full pipeline (read+decode, detect, eyes, gates, liveness, JPEG): {watch.Elapsed.TotalMilliseconds / request.BurstFrames:0.0} ms/frame over {request.BurstFrames} frames (includes open)");

        // The same capture with a screen listening: at most one 320 px preview JPEG per 100 ms on top.
        var previews = 0;
        var watched = request with { Preview = new Counter(() => Interlocked.Increment(ref previews)) };
        watch.Restart();
        capture = await CaptureAsync(source, watched);
        watch.Stop();
        Assert.That(capture.Code, Is.EqualTo(CompletionCode.Success), capture.ToString());
        await TestContext.Out.WriteLineAsync($"with a preview listener: {watch.Elapsed.TotalMilliseconds / request.BurstFrames:0.0} ms/frame, {previews} previews");
    }

    private sealed class Counter(Action counted) : IProgress<FacePreview>
    {
        public void Report(FacePreview value) => counted();
    }

    private static string Sequence(TempFolder folder, IReadOnlyList<Mat> frames)
    {
        var pattern = Photos.WriteSequence(folder.Path, frames);
        Photos.DisposeAll(frames);
        return pattern;
    }

    private static async Task<DeviceResult<FaceCapture>> CaptureAsync(string source, FaceCaptureRequest? request = null)
    {
        await using var camera = new OpenCvFaceCamera("faceCamera", Models.Require(new FaceCameraOptions { Source = source }), TimeProvider.System);
        var opened = await camera.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.Success), opened.ToString());
        using var claim = (await camera.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        return await camera.CaptureFaceAsync(claim, request ?? Request, CancellationToken.None);
    }
}
