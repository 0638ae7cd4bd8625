using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The face camera contract: one good capture with quality scores; nobody, or two people, in front of it.</summary>
public abstract class FaceCameraContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IFaceCamera
{
    protected static readonly FaceCaptureRequest Request = new();

    protected override TimeSpan OperationTimeout => Request.Timeout;

    protected abstract bool ArrangeNoFace();

    protected abstract bool ArrangeTwoFaces();

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.CaptureFaceAsync(claim, Request, cancellationToken)).As<Done>();

    [Test]
    public async Task A_capture_is_an_image_of_the_size_it_states_with_one_face()
    {
        var capture = await SuccessOfAsync(c => Device.CaptureFaceAsync(c, Request, CancellationToken.None));
        Assert.That(capture.Image.ContentType, Is.EqualTo("image/png").Or.EqualTo("image/jpeg"));
        if (capture.Image.ContentType == "image/png")
        {
            var png = PngFile.Decode(capture.Image.Data.Span);
            Assert.That((png.Width, png.Height), Is.EqualTo((capture.Image.Width, capture.Image.Height)));
        }
        else
        {
            Assert.That(capture.Image.Data.Span[..2].ToArray(), Is.EqualTo(new byte[] { 0xFF, 0xD8 }), "JPEG SOI marker");
        }

        Assert.That(capture.Quality.FaceCount, Is.EqualTo(1));
        Assert.That(capture.Quality.Score, Is.InRange(0, 100));
        Assert.That(capture.Quality.FaceWidth, Is.InRange(1, capture.Image.Width));
        Assert.That(capture.Quality.EyeDistance, Is.InRange(1, capture.Quality.FaceWidth));
    }

    [Test]
    public async Task A_listener_sees_small_preview_frames_while_the_capture_runs_and_the_capture_is_unchanged()
    {
        var previews = new List<FacePreview>();
        var listener = new Listener(p =>
        {
            lock (previews)
            {
                previews.Add(p);
            }
        });
        var watched = await SuccessOfAsync(c => Device.CaptureFaceAsync(c, Request with { Preview = listener }, CancellationToken.None));
        var plain = await SuccessOfAsync(c => Device.CaptureFaceAsync(c, Request, CancellationToken.None));

        Assert.That(previews, Is.Not.Empty);
        foreach (var preview in previews)
        {
            Assert.That(preview.Frame.ContentType, Is.EqualTo("image/png").Or.EqualTo("image/jpeg"));
            Assert.That(preview.Frame.Width, Is.InRange(1, 320), "a preview is small");
            Assert.That(preview.Frame.Data.Length, Is.GreaterThan(0));
            Assert.That(Enum.IsDefined(preview.Hint), Is.True);
            if (preview.Face is { } box)
            {
                Assert.That(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= preview.Frame.Width && box.Y + box.Height <= preview.Frame.Height, Is.True, $"{box} lies inside {preview.Frame}");
            }
        }

        Assert.That(previews.Any(p => p.Face is not null), Is.True, "a capture that found the face showed it boxed");
        Assert.That(watched.Image.Data.ToArray(), Is.EqualTo(plain.Image.Data.ToArray()), "listening changes nothing of the capture");
        Assert.That(watched.Quality, Is.EqualTo(plain.Quality));
    }

    [Test]
    public async Task Nobody_in_front_of_the_camera_is_no_media()
    {
        if (!ArrangeNoFace())
        {
            Assert.Ignore("cannot take the face away on demand");
        }

        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
    }

    [Test]
    public async Task Two_faces_are_a_user_error()
    {
        if (!ArrangeTwoFaces())
        {
            Assert.Ignore("cannot show two faces on demand");
        }

        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.UserError));
        Assert.That(result.Description + result.DeviceError, Does.Contain("two faces"));
    }

    private sealed class Listener(Action<FacePreview> report) : IProgress<FacePreview>
    {
        public void Report(FacePreview value) => report(value);
    }
}
