using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Processing;

public sealed class LevelMeterTests
{
    [TestCase(0.5, -9.03, -6.02)]
    [TestCase(1.0, -3.01, 0.0)]
    [TestCase(0.01, -43.01, -40.0)]
    public void A_sine_reads_its_rms_and_peak_in_dbfs(double amplitude, double rmsDbfs, double peakDbfs)
    {
        // 1 kHz at 16 kHz: exactly 20 periods in each 20 ms frame.
        var levels = LevelMeter.Measure(Signals.Sine(1000, amplitude, TimeSpan.FromSeconds(1)));

        Assert.That(levels, Has.Count.EqualTo(50));
        Assert.That(levels.Select(l => l.RmsDbfs), Is.All.EqualTo(rmsDbfs).Within(0.5));
        Assert.That(levels.Select(l => l.PeakDbfs), Is.All.EqualTo(peakDbfs).Within(0.5));
        Assert.That(levels[1].Start, Is.EqualTo(TimeSpan.FromMilliseconds(20)));
    }

    [Test]
    public void Digital_silence_reads_the_silence_floor() =>
        Assert.That(LevelMeter.Measure(Signals.Silence(TimeSpan.FromSeconds(0.1))).Select(l => l.RmsDbfs), Is.All.EqualTo(LevelMeter.SilenceDbfs));

    [Test]
    public void Stereo_is_refused() =>
        Assert.That(() => LevelMeter.Measure(Signals.Sine(1000, 0.5, TimeSpan.FromSeconds(0.1), channels: 2)), Throws.ArgumentException);
}
