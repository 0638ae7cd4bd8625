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

    private static bool PngHasInk(CapturedImage image) =>
        Formats.PngFile.Decode(image.Data.Span).GreyPixels().Any(p => p < 128);

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
