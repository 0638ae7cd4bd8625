using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedFaceCameraContractTests : FaceCameraContract<SimulatedFaceCamera>
{
    protected override SimulatedFaceCamera CreateDevice(TimeProvider timeProvider) => new("faceCamera", Simulation.Options(), timeProvider);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangeNoFace() => Script(SimulatedFault.NoFace);

    protected override bool ArrangeTwoFaces() => Script(SimulatedFault.TwoFaces);

    [Test]
    public async Task A_capture_is_the_presented_photograph_as_is()
    {
        Device.PresentFace("camera");
        var capture = await SuccessOfAsync(c => Device.CaptureFaceAsync(c, Request, CancellationToken.None));
        Assert.That(capture.Image.Data.ToArray(), Is.EqualTo(await File.ReadAllBytesAsync(Path.Combine(Kiosk.TestSupport.RepositoryPaths.TestData, "camera.png"))));
        Assert.That((capture.Image.Width, capture.Image.Height), Is.EqualTo((512, 512)));
        Assert.That(capture.Quality.Score, Is.InRange(60, 95));
        Assert.That(capture.Quality.LivenessPassed, Is.True);
    }

    [Test]
    public async Task Nobody_presented_is_no_media()
    {
        Device.PresentFace(null);
        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
    }

    [Test]
    public async Task Previews_go_from_nobody_to_too_far_to_hold_still_within_the_usual_operation_delay()
    {
        var step = Simulation.Options().OperationDelay / 3;
        var previews = new List<FacePreview>();
        using var claim = await ClaimAsync(Device, "session");
        var capture = Device.CaptureFaceAsync(claim, Request with { Preview = new Listener(previews.Add) }, CancellationToken.None);

        Assert.That(previews.Select(p => p.Hint), Is.EqualTo(new[] { FaceHint.NoFace }), "the empty view at once");
        Time.Advance(step);
        Assert.That(previews.Select(p => p.Hint), Is.EqualTo(new[] { FaceHint.NoFace, FaceHint.MoveCloser }));
        Time.Advance(step);
        Assert.That(previews.Select(p => p.Hint), Is.EqualTo(new[] { FaceHint.NoFace, FaceHint.MoveCloser, FaceHint.HoldStill }));
        Time.Advance(Simulation.Options().OperationDelay - (2 * step) - TimeSpan.FromTicks(1));
        Assert.That(capture.IsCompleted, Is.False, "the last frame stays until the capture returns");
        Time.Advance(TimeSpan.FromTicks(1));
        Assert.That(capture.IsCompleted, Is.True, "previews take no longer than a capture without them");
        Assert.That((await capture).Code, Is.EqualTo(CompletionCode.Success));

        Assert.That(previews.Select(p => p.Face is null), Is.EqualTo(new[] { true, false, false }), "a face box once the person is in view");
        foreach (var preview in previews)
        {
            var png = PngFile.Decode(preview.Frame.Data.Span);
            Assert.That((png.Width, png.Height), Is.EqualTo((preview.Frame.Width, preview.Frame.Height)));
            Assert.That(png.Width, Is.InRange(1, 320));
        }

        // The astronaut's face (centre 223, 113 of 512) in the frame that fills the view.
        var near = previews[2];
        var scale = near.Frame.Width / 512.0;
        Assert.That(near.Face!.Value.X + (near.Face.Value.Width / 2.0), Is.EqualTo(223 * scale).Within(10));
        Assert.That(near.Face.Value.Y + (near.Face.Value.Height / 2.0), Is.EqualTo(113 * scale).Within(10));
        Assert.That(previews[1].Face!.Value.Width, Is.LessThan(near.Face.Value.Width), "farther away, a smaller face");

        var again = new List<FacePreview>();
        await DriveAsync(Device.CaptureFaceAsync(claim, Request with { Preview = new Listener(again.Add) }, CancellationToken.None));
        Assert.That(again.Select(p => (p.Hint, p.Face, p.Frame.Data.ToArray())), Is.EqualTo(previews.Select(p => (p.Hint, p.Face, p.Frame.Data.ToArray()))), "the same frames every time");
    }

    [Test]
    public async Task A_camera_that_fails_shows_no_preview_and_nobody_shows_the_empty_view()
    {
        var previews = new List<FacePreview>();
        Device.Faults.Next(SimulatedFault.Unplugged);
        await RunAsync(c => Device.CaptureFaceAsync(c, Request with { Preview = new Listener(previews.Add) }, CancellationToken.None));
        Assert.That(previews, Is.Empty, "an unplugged camera sees nothing");

        Device.PresentFace(null);
        var nobody = await RunAsync(c => Device.CaptureFaceAsync(c, Request with { Preview = new Listener(previews.Add) }, CancellationToken.None));
        Assert.That(nobody.Code, Is.EqualTo(CompletionCode.NoMedia));
        Assert.That(previews.Select(p => (p.Hint, p.Face)), Is.EqualTo(new[] { (FaceHint.NoFace, (PreviewBox?)null) }));
    }

    private sealed class Listener(Action<FacePreview> report) : IProgress<FacePreview>
    {
        public void Report(FacePreview value) => report(value);
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
