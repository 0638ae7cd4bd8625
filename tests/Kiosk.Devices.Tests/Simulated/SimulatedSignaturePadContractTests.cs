using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedSignaturePadContractTests : SignaturePadContract<SimulatedSignaturePad>
{
    protected override SimulatedSignaturePad CreateDevice(TimeProvider timeProvider) => new("signaturePad", Simulation.Options(), timeProvider);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangeNoFinger() => Script(SimulatedFault.NoFinger);

    [Test]
    public async Task The_signature_is_sampled_at_100_hz_for_2_to_4_seconds_of_writing()
    {
        var signature = await SuccessOfAsync(c => Device.CaptureSignatureAsync(c, Request, CancellationToken.None));
        var down = signature.Samples.Where(s => s.PenDown).ToList();
        Assert.That(down.Count * 10, Is.InRange(2000, 4000), "pen-down samples at 10 ms each");
        var gaps = signature.Samples.Zip(signature.Samples.Skip(1), (a, b) => b.T - a.T).ToList();
        Assert.That(gaps, Has.All.InRange(10L, 11L));
        Assert.That(PngHasInk(signature.Rendering!), Is.True, "ink on the rendering");
    }

    [Test]
    public async Task With_a_live_capture_duration_the_samples_are_played_out_over_it_and_the_signature_is_the_same()
    {
        var atOnce = await SuccessOfAsync(c => Device.CaptureSignatureAsync(c, Request, CancellationToken.None));
        var options = Simulation.Options();
        options.LiveCaptureDuration = TimeSpan.FromSeconds(2);
        await using var pad = new SimulatedSignaturePad("signaturePad", options, Time);
        await pad.OpenAsync(CancellationToken.None);
        using var claim = (await pad.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var pen = new Reported<PenProgress>();

        var started = Time.GetUtcNow();
        var capture = pad.CaptureSignatureAsync(claim, Request with { Pen = pen }, CancellationToken.None);
        AdvanceInSteps(options.OperationDelay + TimeSpan.FromSeconds(1));
        var halfway = pen.Items.Count;
        Assert.That(capture.IsCompleted, Is.False, "still writing");
        AdvanceInSteps(TimeSpan.FromSeconds(1));
        var signature = (await capture.WaitAsync(TimeSpan.FromSeconds(30))).Value!;

        Assert.That(Time.GetUtcNow() - started, Is.EqualTo(options.OperationDelay + options.LiveCaptureDuration));
        Assert.That(halfway, Is.EqualTo(signature.Samples.Count / 2).Within(1), "half the samples in half the time");
        Assert.That(pen.Items.Select(p => p.Sample), Is.EqualTo(signature.Samples));
        Assert.That(signature.Samples, Is.EqualTo(atOnce.Samples), "the same signature as without a live capture");

        // Nobody watching: the same waits, the same signature.
        var unwatched = pad.CaptureSignatureAsync(claim, Request, CancellationToken.None);
        AdvanceInSteps(options.OperationDelay + options.LiveCaptureDuration - TimeSpan.FromMilliseconds(1));
        Assert.That(unwatched.IsCompleted, Is.False);
        AdvanceInSteps(TimeSpan.FromMilliseconds(1));
        Assert.That((await unwatched.WaitAsync(TimeSpan.FromSeconds(30))).Value!.Samples, Is.EqualTo(signature.Samples));
    }

    private static bool PngHasInk(CapturedImage image) =>
        Formats.PngFile.Decode(image.Data.Span).GreyPixels().Any(p => p < 128);

    /// <summary>Moves the fake clock 1 ms at a time, so each wait the simulator starts when another ends is reached too.</summary>
    private void AdvanceInSteps(TimeSpan by)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMilliseconds(1))
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
