using Kiosk.Devices;
using Kiosk.Devices.Audio;
using Kiosk.Devices.Tests.Contracts;

namespace Kiosk.Drivers.Audio.Tests.Recording;

/// <summary>
/// The HAL microphone contract against <see cref="ArecordAudioRecorder"/>, with sox playing speech.wav in arecord's
/// place through the real process and pipe path. Faults are arecord's own messages and exit codes from the stand-in.
/// </summary>
[TestFixture]
public sealed class ArecordAudioRecorderContractTests : AudioRecorderContract<ArecordAudioRecorder>
{
    private StandIn _standIn = null!;

    protected override TimeSpan OperationTimeout => Request.MaxDuration + new ArecordAudioRecorderOptions().TimeoutMargin;

    [OneTimeSetUp]
    public void CreateStandIn() => _standIn = new StandIn();

    [OneTimeTearDown]
    public void DeleteStandIn() => _standIn.Dispose();

    protected override ArecordAudioRecorder CreateDevice(TimeProvider timeProvider)
    {
        File.Delete(_standIn.FaultFile);
        return new ArecordAudioRecorder("microphone", RecorderStandIn.Options(_standIn), timeProvider);
    }

    protected override bool ArrangeUnplugged() => _standIn.Next(RecorderStandIn.Unplugged);

    /// <summary>A slow microphone is slow in real time; the fake clock cannot see it.</summary>
    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => _standIn.Next(RecorderStandIn.Hang);

    /// <summary>Raw PCM has no framing to break: any bytes are samples.</summary>
    protected override bool ArrangeGarbage() => false;

    protected override bool ArrangeHardwareError() => _standIn.Next(RecorderStandIn.HardwareError);

    protected override bool ArrangeSilence() => _standIn.Next(RecorderStandIn.Silence);

    protected override async Task<T> DriveAsync<T>(Task<T> task) => await task.WaitAsync(RealIo.Bound);
}
