using Kiosk.Devices;
using Kiosk.Devices.Audio;
using Kiosk.Drivers.Audio.Tests.Processing;

namespace Kiosk.Drivers.Audio.Tests.Recording;

/// <summary>A generated WAV for the level meter: 1 s of digital silence, 1.5 s of noise at −20 dBFS RMS, 1 s of silence.</summary>
internal static class Loudness
{
    public static readonly TimeSpan LoudFrom = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan LoudUntil = TimeSpan.FromSeconds(2.5);

    /// <summary>Where −20 dBFS sits on the meter: (60 − 20) / 60.</summary>
    public static readonly double LoudLevel = AudioLevel.FromDbfs(-20);

    public static byte[] Wav()
    {
        float[] samples =
        [
            .. Signals.Silence(LoudFrom).Samples.ToArray(),
            .. Signals.Noise(-20, LoudUntil - LoudFrom).Samples.ToArray(),
            .. Signals.Silence(TimeSpan.FromSeconds(1)).Samples.ToArray(),
        ];
        return WavFile.WritePcm16(new AudioSamples(samples, 16000, 1));
    }

    /// <summary>The levels of the silence before the noise are 0 and not speech; those well inside the noise sit at its level and are speech.</summary>
    public static void AssertRisesWithTheNoise(IReadOnlyList<AudioLevel> levels)
    {
        Assert.That(levels, Has.All.Matches<AudioLevel>(l => l.Level >= 0 && l.Level <= 1));
        var before = levels.Where(l => l.Elapsed <= LoudFrom).ToList();
        var inside = levels.Where(l => l.Elapsed > LoudFrom + TimeSpan.FromMilliseconds(200) && l.Elapsed <= LoudUntil).ToList();
        Assert.That(before, Has.Count.EqualTo(10));
        Assert.That(before, Has.All.Matches<AudioLevel>(l => l.Level == 0 && !l.Speech), "silence is the bottom of the meter");
        Assert.That(inside, Has.Count.EqualTo(13));
        Assert.That(inside.Select(l => l.Level), Has.All.EqualTo(LoudLevel).Within(0.02), "the noise's level");
        Assert.That(inside, Has.All.Matches<AudioLevel>(l => l.Speech), "loud enough for the detector");
    }
}
