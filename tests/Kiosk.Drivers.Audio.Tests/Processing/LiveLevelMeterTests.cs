using Kiosk.Devices;
using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Processing;

public sealed class LiveLevelMeterTests
{
    [Test]
    public void A_level_goes_out_every_100_ms_of_audio_as_the_intervals_rms_on_the_meters_scale()
    {
        var reported = new List<AudioLevel>();
        var meter = new LiveLevelMeter(reported.Add);
        float[] samples = [.. Signals.Silence(TimeSpan.FromSeconds(0.2)).Samples.ToArray(), .. Signals.Sine(1000, 0.5, TimeSpan.FromSeconds(0.2)).Samples.ToArray()];
        var audio = new AudioSamples(samples, 16000, 1);

        foreach (var frame in LevelMeter.Measure(audio))
        {
            meter.Push(frame, inSpeech: frame.RmsDbfs > -40);
        }

        Assert.That(reported.Select(l => l.Elapsed), Is.EqualTo(new[] { 100, 200, 300, 400 }.Select(ms => TimeSpan.FromMilliseconds(ms))));
        Assert.That(reported.Select(l => l.Level).Take(2), Has.All.Zero, "digital silence is the bottom of the meter");
        // A 0.5 sine is -9.03 dBFS RMS: (60 - 9.03) / 60 of the way up.
        Assert.That(reported.Select(l => l.Level).Skip(2), Has.All.EqualTo((60 - 9.03) / 60).Within(0.01));
        Assert.That(reported.Select(l => l.Speech), Is.EqualTo(new[] { false, false, true, true }));
    }

    [Test]
    public void Frames_that_do_not_divide_100_ms_report_when_an_interval_is_complete()
    {
        var reported = new List<AudioLevel>();
        var meter = new LiveLevelMeter(reported.Add);

        foreach (var frame in LevelMeter.Measure(Signals.Sine(1000, 0.1, TimeSpan.FromSeconds(0.3)), TimeSpan.FromMilliseconds(30)))
        {
            meter.Push(frame, inSpeech: true);
        }

        Assert.That(reported.Select(l => l.Elapsed), Is.EqualTo(new[] { 120, 240 }.Select(ms => TimeSpan.FromMilliseconds(ms))));
    }

    [TestCase(-150, 0.0)]
    [TestCase(-60, 0.0)]
    [TestCase(-30, 0.5)]
    [TestCase(0, 1.0)]
    [TestCase(6, 1.0)]
    public void The_meters_scale_is_linear_in_db_from_minus_60_to_full_scale(double dbfs, double level) =>
        Assert.That(AudioLevel.FromDbfs(dbfs), Is.EqualTo(level).Within(1e-9));
}
