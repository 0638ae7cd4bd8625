using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedAudioPlayerContractTests : AudioPlayerContract<SimulatedAudioPlayer>
{
    protected override SimulatedAudioPlayer CreateDevice(TimeProvider timeProvider) => new("speaker", Simulation.Options(), timeProvider);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    [Test]
    public async Task Wav_bytes_take_as_long_as_the_clip_and_are_remembered()
    {
        var prompt = new AudioPrompt("beep") { Wav = SilentWav(TimeSpan.FromSeconds(3)) };
        var started = Time.GetUtcNow();
        var result = await RunAsync(c => Device.PlayAsync(c, prompt, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success));
        Assert.That(Time.GetUtcNow() - started, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(Device.LastPlayed, Is.EqualTo("beep"));
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
