using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedSensorsContractTests : SensorsContract<SimulatedSensors>
{
    protected override TimeSpan OperationTimeout => SimulatedSensors.ReadTimeout;

    protected override SimulatedSensors CreateDevice(TimeProvider timeProvider) => new("sensors", Simulation.Options(), timeProvider);

    protected override bool ArrangePresence(bool detected)
    {
        Device.SetPresence(detected);
        return true;
    }

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    [Test]
    public async Task Every_setter_raises_changed_and_the_call_button_latches_until_read()
    {
        var changes = new List<SensorSnapshot>();
        Device.Changed += (_, s) => changes.Add(s);
        Device.SetDoor(true);
        Device.SetTamper(true);
        Device.PressCallButton();
        Assert.That(changes, Has.Count.EqualTo(3));
        Assert.That((changes[^1].DoorOpen, changes[^1].TamperTriggered, changes[^1].CallButtonPressed), Is.EqualTo((true, true, true)));

        var first = await DriveAsync(Device.ReadAsync(CancellationToken.None));
        Assert.That(first.Value!.CallButtonPressed, Is.True);
        var second = await DriveAsync(Device.ReadAsync(CancellationToken.None));
        Assert.That(second.Value!.CallButtonPressed, Is.False);
        Assert.That(second.Value.DoorOpen, Is.True);
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
