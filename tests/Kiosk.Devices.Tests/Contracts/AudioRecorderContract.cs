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
    public async Task The_level_reporter_gets_a_level_every_100_ms_of_audio_in_0_to_1_rising_with_speech()
    {
        var levels = new Reported<AudioLevel>();
        var clip = await SuccessOfAsync(c => Device.RecordAsync(c, Request with { Levels = levels }, CancellationToken.None));

        var reported = levels.Items;
        Assert.That(reported, Is.Not.Empty);
        Assert.That(reported, Has.All.Matches<AudioLevel>(l => l.Level >= 0 && l.Level <= 1));
        for (var i = 0; i < reported.Count; i++)
        {
            Assert.That(reported[i].Elapsed, Is.EqualTo(AudioLevel.Interval * (i + 1)), $"level {i} covers the next 100 ms of audio");
        }

        Assert.That(reported[^1].Elapsed, Is.GreaterThan(clip.Duration - AudioLevel.Interval), "the levels cover the audio kept (a last part-interval aside)");
        var speech = reported.Where(l => l.Speech).Select(l => l.Level).ToList();
        var quiet = reported.Where(l => !l.Speech).Select(l => l.Level).ToList();
        Assert.That(speech, Is.Not.Empty, "the speech is heard as speech");
        Assert.That(quiet, Is.Not.Empty, "the silence around it is not");
        Assert.That(speech.Average(), Is.GreaterThan(quiet.Average() + 0.2), "the meter rises when the person speaks");
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
