using Kiosk.Devices.Audio;
using Kiosk.Devices.Tests.Contracts;

namespace Kiosk.Drivers.Audio.Tests.Playback;

/// <summary>The HAL speaker contract against <see cref="AplayAudioPlayer"/> with a shell swallowing stdin in aplay's place.</summary>
[TestFixture]
public sealed class AplayAudioPlayerContractTests : AudioPlayerContract<AplayAudioPlayer>
{
    private StandIn _standIn = null!;

    [OneTimeSetUp]
    public void CreateStandIn() => _standIn = new StandIn();

    [OneTimeTearDown]
    public void DeleteStandIn() => _standIn.Dispose();

    protected override AplayAudioPlayer CreateDevice(TimeProvider timeProvider)
    {
        File.Delete(_standIn.FaultFile);
        PlayerStandIn.WriteWelcome(_standIn);
        return new AplayAudioPlayer("speaker", PlayerStandIn.Options(_standIn), timeProvider);
    }

    protected override bool ArrangeUnplugged() => _standIn.Next(PlayerStandIn.Unplugged);

    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => _standIn.Next(PlayerStandIn.Hang);

    /// <summary>The prompt file on disk is not WAV.</summary>
    protected override bool ArrangeGarbage()
    {
        File.WriteAllBytes(_standIn.File("welcome.wav"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        return true;
    }

    protected override bool ArrangeHardwareError() => _standIn.Next(PlayerStandIn.HardwareError);

    protected override async Task<T> DriveAsync<T>(Task<T> task) => await task.WaitAsync(RealIo.Bound);
}
