using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The microphone contract: a 16 kHz mono PCM WAV whose speech time is measured; silence is no media.</summary>
public abstract class AudioRecorderContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IAudioRecorder
{
    protected static readonly AudioRecordRequest Request = new() { MaxDuration = TimeSpan.FromSeconds(60) };

    protected abstract bool ArrangeSilence();

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.RecordAsync(claim, Request, cancellationToken)).As<Done>();

    [Test]
    public async Task A_recording_is_16_khz_mono_pcm_with_some_speech_in_it()
    {
        var clip = await SuccessOfAsync(c => Device.RecordAsync(c, Request, CancellationToken.None));
        var header = WavHeader.Parse(clip.Wav.Span);
        Assert.That(header.Format, Is.EqualTo(1), "PCM");
        Assert.That(header.Channels, Is.EqualTo(1));
        Assert.That(header.SampleRate, Is.EqualTo(16000));
        Assert.That(header.BitsPerSample, Is.EqualTo(16));
        Assert.That(header.BlockAlign, Is.EqualTo(2));
        Assert.That(header.ByteRate, Is.EqualTo(32000));
        Assert.That((clip.SampleRate, clip.Channels), Is.EqualTo((16000, 1)));
        Assert.That(clip.Duration, Is.EqualTo(header.Duration).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(clip.Speech, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(clip.Speech, Is.LessThan(clip.Duration));
    }

    [Test]
    public async Task Silence_is_no_media()
    {
        if (!ArrangeSilence())
        {
            Assert.Ignore("cannot keep the room silent on demand");
        }

        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia));
    }
}
