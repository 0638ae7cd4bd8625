using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedAudioRecorderContractTests : AudioRecorderContract<SimulatedAudioRecorder>
{
    protected override TimeSpan OperationTimeout => SimulatedAudioRecorder.TimeoutOf(Request);

    protected override SimulatedAudioRecorder CreateDevice(TimeProvider timeProvider) => new("microphone", Simulation.Options(), timeProvider);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangeSilence() => Script(SimulatedFault.Silence);

    [Test]
    public async Task Speech_excludes_the_second_of_leading_and_two_of_trailing_silence()
    {
        var clip = await SuccessOfAsync(c => Device.RecordAsync(c, Request, CancellationToken.None));
        Assert.That(clip.Speech, Is.LessThanOrEqualTo(clip.Duration - TimeSpan.FromSeconds(3)));
        Assert.That(clip.Speech, Is.GreaterThan(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Another_sample_rate_is_unsupported()
    {
        var result = await RunAsync(c => Device.RecordAsync(c, Request with { SampleRate = 48000 }, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Unsupported));
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
