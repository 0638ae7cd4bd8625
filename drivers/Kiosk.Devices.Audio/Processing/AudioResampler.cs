using NAudio.Wave;
using NAudio.Wave.SampleProviders;

namespace Kiosk.Devices.Audio;

/// <summary>Channel mixing and sample-rate conversion (NAudio's WDL resampler) to the speech format.</summary>
public static class AudioResampler
{
    /// <summary>The format speech is kept in: 16 kHz mono, what recognisers and the HAL's recorder contract expect.</summary>
    public const int SpeechSampleRate = 16000;

    /// <summary>Averages all channels into one (no gain: a signal on both channels keeps its level).</summary>
    public static AudioSamples ToMono(AudioSamples audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.Channels == 1)
        {
            return audio;
        }

        var source = audio.Samples.Span;
        var mono = new float[audio.Frames];
        for (var frame = 0; frame < mono.Length; frame++)
        {
            float sum = 0;
            for (var channel = 0; channel < audio.Channels; channel++)
            {
                sum += source[(frame * audio.Channels) + channel];
            }

            mono[frame] = sum / audio.Channels;
        }

        return new AudioSamples(mono, audio.SampleRate, 1);
    }

    /// <summary>Converts the sample rate, keeping the channels; the duration is kept to within one output sample.</summary>
    public static AudioSamples Resample(AudioSamples audio, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (audio.SampleRate == sampleRate)
        {
            return audio;
        }

        var resampler = new WdlResamplingSampleProvider(new MemorySampleProvider(audio), sampleRate);
        var expected = (int)Math.Round(audio.Frames * (double)sampleRate / audio.SampleRate) * audio.Channels;
        var output = new List<float>(expected + 1024);
        var buffer = new float[4096 * audio.Channels];
        int read;
        while ((read = resampler.Read(buffer)) > 0)
        {
            output.AddRange(buffer.AsSpan(0, read));
        }

        // The WDL resampler holds back its filter latency at the end; pad or cut to the exact length so durations are kept.
        if (output.Count < expected)
        {
            output.AddRange(new float[expected - output.Count]);
        }
        else if (output.Count > expected)
        {
            output.RemoveRange(expected, output.Count - expected);
        }

        return new AudioSamples(output.ToArray(), sampleRate, audio.Channels);
    }

    /// <summary>Any rate and channel count to mono at <paramref name="sampleRate"/> (16 kHz unless said otherwise).</summary>
    public static AudioSamples ToSpeechFormat(AudioSamples audio, int sampleRate = SpeechSampleRate) => Resample(ToMono(audio), sampleRate);

    /// <summary>Feeds <see cref="AudioSamples"/> to NAudio's sample-provider chain.</summary>
    private sealed class MemorySampleProvider(AudioSamples audio) : ISampleProvider
    {
        private int _position;

        public WaveFormat WaveFormat { get; } = WaveFormat.CreateIeeeFloatWaveFormat(audio.SampleRate, audio.Channels);

        public int Read(Span<float> buffer)
        {
            var n = Math.Min(buffer.Length, audio.Samples.Length - _position);
            audio.Samples.Span.Slice(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }
    }
}
