using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Processing;

public sealed class VoiceActivityDetectorTests
{
    [Test]
    public void Speech_wav_has_speech_from_about_one_second_to_about_two_before_the_end()
    {
        var speech = WavFile.Read(Recording.RecorderStandIn.Speech);

        var activity = VoiceActivityDetector.Detect(speech);
        TestContext.Out.WriteLine($"first {activity.FirstSpeech} last {activity.LastSpeechEnd} of {activity.Duration}; speech {activity.Speech} in {activity.Segments.Count} segments");

        // Measured: speech from 1.00 s to 9.44 s of 11.82 s (whole frames).
        Assert.That(activity.FirstSpeech!.Value.TotalSeconds, Is.EqualTo(1.0).Within(0.15));
        Assert.That((activity.Duration - activity.LastSpeechEnd!.Value).TotalSeconds, Is.InRange(1.8, 2.8));
        Assert.That(activity.Speech.TotalSeconds, Is.InRange(7.0, 9.0), "measured 8.44 s: its pauses are shorter than the hangover");
    }

    [Test]
    public void Pure_silence_has_no_speech() =>
        Assert.That(VoiceActivityDetector.Detect(Signals.Silence(TimeSpan.FromSeconds(3))).HasSpeech, Is.False);

    [TestCase(-60.0)]
    [TestCase(-40.0)]
    public void Steady_low_level_noise_has_no_speech(double rmsDbfs)
    {
        var activity = VoiceActivityDetector.Detect(Signals.Noise(rmsDbfs, TimeSpan.FromSeconds(3)));
        Assert.That(activity.HasSpeech, Is.False, string.Join(", ", activity.Segments));
    }

    [Test]
    public void A_tone_after_quiet_noise_is_speech_and_ends_with_it()
    {
        var noise = Signals.Noise(-60, TimeSpan.FromSeconds(1)).Samples.ToArray();
        var tone = Signals.Sine(300, 0.3, TimeSpan.FromSeconds(1)).Samples.ToArray();
        var audio = new AudioSamples(noise.Concat(tone).Concat(noise).ToArray(), 16000, 1);

        var activity = VoiceActivityDetector.Detect(audio);

        Assert.That(activity.Segments, Has.Count.EqualTo(1));
        Assert.That(activity.FirstSpeech!.Value.TotalSeconds, Is.EqualTo(1.0).Within(0.021));
        Assert.That(activity.LastSpeechEnd!.Value.TotalSeconds, Is.EqualTo(2.0).Within(0.021));
    }

    [Test]
    public void A_click_shorter_than_the_onset_is_not_speech()
    {
        var samples = Signals.Silence(TimeSpan.FromSeconds(1)).Samples.ToArray();
        Array.Fill(samples, 0.5f, 8000, 320);
        Assert.That(VoiceActivityDetector.Detect(new AudioSamples(samples, 16000, 1)).HasSpeech, Is.False);
    }

    [Test]
    public void Streaming_counts_the_silence_since_speech()
    {
        // The floor is learnt from the first frames, so the stream starts quiet as a microphone does.
        var detector = new VoiceActivityDetector();
        var lead = Signals.Silence(TimeSpan.FromSeconds(0.2));
        var tone = Signals.Sine(300, 0.3, TimeSpan.FromSeconds(0.5));
        var silence = Signals.Silence(TimeSpan.FromSeconds(1));
        var levels = LevelMeter.Measure(lead)
            .Concat(LevelMeter.Measure(tone).Select(l => l with { Start = l.Start + lead.Duration }))
            .Concat(LevelMeter.Measure(silence).Select(l => l with { Start = l.Start + lead.Duration + tone.Duration }));
        foreach (var level in levels)
        {
            detector.Push(level);
        }

        Assert.That(detector.HeardSpeech, Is.True);
        Assert.That(detector.InSpeech, Is.False);
        Assert.That(detector.SilenceSinceSpeech, Is.EqualTo(TimeSpan.FromSeconds(1)).Within(TimeSpan.FromMilliseconds(1)));
    }

    [Test]
    public void Invalid_options_are_named_in_one_message()
    {
        var options = new VoiceActivityOptions { ThresholdAboveNoiseDb = 0, MinimumSpeechDbfs = 3 };
        Assert.That(() => new VoiceActivityDetector(options), Throws.ArgumentException.With.Message.Contains("ThresholdAboveNoiseDb").And.Message.Contains("MinimumSpeechDbfs"));
    }
}
