using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Processing;

public sealed class SilenceTrimmerTests
{
    [Test]
    public void Trimming_speech_wav_removes_about_three_seconds_of_silence_and_keeps_the_margins()
    {
        var speech = WavFile.Read(Recording.RecorderStandIn.Speech);

        var (trimmed, activity) = SilenceTrimmer.TrimToSpeech(speech);

        var removed = speech.Duration - trimmed.Duration;
        TestContext.Out.WriteLine($"removed {removed} of {speech.Duration}");
        Assert.That(removed.TotalSeconds, Is.InRange(2.5, 3.5), "about 1 s before and 2 s after, less the margins");
        var kept = activity.LastSpeechEnd!.Value - activity.FirstSpeech!.Value + (2 * SilenceTrimmer.DefaultMargin);
        Assert.That(trimmed.Duration, Is.EqualTo(kept).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public void The_margin_is_clamped_to_the_clip()
    {
        var tone = Signals.Sine(300, 0.3, TimeSpan.FromSeconds(1));
        var activity = new VoiceActivity([new SpeechSegment(TimeSpan.FromSeconds(0.1), TimeSpan.FromSeconds(0.9))], tone.Duration);
        Assert.That(SilenceTrimmer.Trim(tone, activity, TimeSpan.FromSeconds(0.5)).Frames, Is.EqualTo(16000));
    }

    [Test]
    public void Audio_without_speech_trims_to_nothing()
    {
        var silence = Signals.Silence(TimeSpan.FromSeconds(1));
        Assert.That(SilenceTrimmer.TrimToSpeech(silence).Trimmed.Frames, Is.Zero);
    }
}
