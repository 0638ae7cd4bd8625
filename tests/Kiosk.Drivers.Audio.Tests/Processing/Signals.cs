using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Processing;

/// <summary>Synthetic test signals.</summary>
internal static class Signals
{
    public static AudioSamples Sine(double frequency, double amplitude, TimeSpan duration, int sampleRate = 16000, int channels = 1)
    {
        var frames = (int)(duration.TotalSeconds * sampleRate);
        var samples = new float[frames * channels];
        for (var i = 0; i < frames; i++)
        {
            var value = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
            for (var c = 0; c < channels; c++)
            {
                samples[(i * channels) + c] = value;
            }
        }

        return new AudioSamples(samples, sampleRate, channels);
    }

    public static AudioSamples Silence(TimeSpan duration, int sampleRate = 16000) => new(new float[(int)(duration.TotalSeconds * sampleRate)], sampleRate, 1);

    /// <summary>Uniform white noise with the given RMS level in dBFS (seeded: the same every run).</summary>
    public static AudioSamples Noise(double rmsDbfs, TimeSpan duration, int sampleRate = 16000)
    {
        // Uniform noise in [-a, a] has RMS a/sqrt(3).
        var amplitude = Math.Pow(10, rmsDbfs / 20) * Math.Sqrt(3);
        var random = new Random(1234);
        var samples = new float[(int)(duration.TotalSeconds * sampleRate)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(amplitude * ((random.NextDouble() * 2) - 1));
        }

        return new AudioSamples(samples, sampleRate, 1);
    }
}
