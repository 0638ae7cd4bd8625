using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedIndicatorsContractTests : IndicatorsContract<SimulatedIndicators>
{
    protected override TimeSpan OperationTimeout => SimulatedIndicators.SetTimeout;

    protected override SimulatedIndicators CreateDevice(TimeProvider timeProvider) => new("indicators", Simulation.Options(), timeProvider);

    protected override IndicatorPattern? Observe(Indicator indicator) => Device.StateOf(indicator);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    [Test]
    public async Task Each_indicator_remembers_its_own_last_pattern_and_a_failed_set_changes_nothing()
    {
        Assert.That(Device.StateOf(Indicator.Fault), Is.EqualTo(IndicatorPattern.Off));
        await RunAsync(c => Device.SetAsync(c, Indicator.Fault, IndicatorPattern.FastBlink, CancellationToken.None));
        await RunAsync(c => Device.SetAsync(c, Indicator.Busy, IndicatorPattern.SlowBlink, CancellationToken.None));
        Device.Faults.Next(SimulatedFault.HardwareError);
        var failed = await RunAsync(c => Device.SetAsync(c, Indicator.Fault, IndicatorPattern.Off, CancellationToken.None));
        Assert.That(failed.Code, Is.EqualTo(CompletionCode.HardwareError));
        Assert.That(Device.StateOf(Indicator.Fault), Is.EqualTo(IndicatorPattern.FastBlink));
        Assert.That(Device.StateOf(Indicator.Busy), Is.EqualTo(IndicatorPattern.SlowBlink));
        Assert.That(Device.StateOf(Indicator.Buzzer), Is.EqualTo(IndicatorPattern.Off));
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
