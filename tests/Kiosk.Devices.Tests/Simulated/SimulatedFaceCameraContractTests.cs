using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
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

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
