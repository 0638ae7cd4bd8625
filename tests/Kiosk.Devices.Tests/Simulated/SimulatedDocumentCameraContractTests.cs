using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedDocumentCameraContractTests : DocumentCameraContract<SimulatedDocumentCamera>
{
    protected override SimulatedDocumentCamera CreateDevice(TimeProvider timeProvider) => new("documentCamera", Simulation.Options(), timeProvider);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangeNoPage() => Script(SimulatedFault.NoPage);

    [Test]
    public async Task A_fault_of_another_device_class_is_ignored()
    {
        Device.Faults.Next(SimulatedFault.WrongCard);
        await SucceedsAsync();
    }

    [Test]
    public async Task A_persistent_fault_lasts_and_a_queued_one_goes_first()
    {
        Device.Faults.Persistent = SimulatedFault.NoPage;
        Device.Faults.Next(SimulatedFault.GarbageData);
        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.InvalidData));
        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
        Device.Faults.Persistent = SimulatedFault.None;
        await SucceedsAsync();
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
