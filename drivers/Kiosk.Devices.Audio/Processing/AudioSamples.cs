namespace Kiosk.Devices.Audio;

/// <summary>
/// Audio as 32-bit float samples in [-1, 1], interleaved by channel. The common currency of the
/// processing entry points (<see cref="WavFile"/>, <see cref="AudioResampler"/>, <see cref="LevelMeter"/>,
/// <see cref="VoiceActivityDetector"/>, <see cref="SilenceTrimmer"/>).
/// </summary>
public sealed record AudioSamples
{
    public AudioSamples(ReadOnlyMemory<float> samples, int sampleRate, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (samples.Length % channels != 0)
        {
            throw new ArgumentException($"{samples.Length} samples do not divide into {channels} channels.", nameof(samples));
        }

        Samples = samples;
        SampleRate = sampleRate;
        Channels = channels;
    }

    /// <summary>Interleaved samples, full scale = 1.0.</summary>
    public ReadOnlyMemory<float> Samples { get; }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Samples per channel.</summary>
    public int Frames => Samples.Length / Channels;

    public TimeSpan Duration => TimeSpan.FromSeconds(Frames / (double)SampleRate);

    /// <summary>Converts 16-bit little-endian signed PCM (what arecord -f S16_LE writes) to samples.</summary>
    public static AudioSamples FromPcm16(ReadOnlySpan<byte> pcm, int sampleRate, int channels)
    {
        var samples = new float[pcm.Length / 2];
        Pcm16.ToFloat(pcm[..(samples.Length * 2)], samples);
        return new AudioSamples(samples, sampleRate, channels);
    }

    public override string ToString() => $"{Channels} ch {SampleRate} Hz {Duration.TotalSeconds:0.###} s";
}
