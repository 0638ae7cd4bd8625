namespace Kiosk.Devices.Audio;

/// <summary>
/// RMS and peak level per frame (20 ms by default, the usual unit of voice activity detection).
/// dBFS here is 20·log10 of the value against full scale 1.0, so a full-scale sine reads 0 dBFS peak and
/// −3.01 dBFS RMS (AES17 would call that 0 dBFS RMS; we do not add the 3.01 dB). Digital silence reads
/// <see cref="SilenceDbfs"/> rather than minus infinity.
/// </summary>
public static class LevelMeter
{
    public static readonly TimeSpan DefaultFrame = TimeSpan.FromMilliseconds(20);

    /// <summary>The level reported for a frame of zeros (below anything 16-bit or 24-bit audio can hold).</summary>
    public const double SilenceDbfs = -150;

    /// <summary>Levels of consecutive whole frames of mono audio; a partial frame at the end is left out.</summary>
    public static IReadOnlyList<FrameLevel> Measure(AudioSamples audio, TimeSpan? frame = null)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.Channels != 1)
        {
            throw new ArgumentException("Level metering needs mono audio; use AudioResampler.ToMono first.", nameof(audio));
        }

        var length = SamplesPerFrame(audio.SampleRate, frame ?? DefaultFrame);
        var frameLength = TimeSpan.FromSeconds(length / (double)audio.SampleRate);
        var span = audio.Samples.Span;
        var levels = new FrameLevel[span.Length / length];
        for (var i = 0; i < levels.Length; i++)
        {
            levels[i] = MeasureFrame(span.Slice(i * length, length), frameLength * i, frameLength);
        }

        return levels;
    }

    /// <summary>The level of one frame of samples.</summary>
    public static FrameLevel MeasureFrame(ReadOnlySpan<float> samples, TimeSpan start, TimeSpan length)
    {
        double sum = 0;
        double peak = 0;
        foreach (var sample in samples)
        {
            sum += (double)sample * sample;
            peak = Math.Max(peak, Math.Abs(sample));
        }

        var rms = samples.IsEmpty ? 0 : Math.Sqrt(sum / samples.Length);
        return new FrameLevel(start, length, ToDbfs(rms), ToDbfs(peak));
    }

    /// <summary>Samples in one frame at <paramref name="sampleRate"/>: 320 for 20 ms at 16 kHz.</summary>
    public static int SamplesPerFrame(int sampleRate, TimeSpan frame) => Math.Max(1, (int)Math.Round(sampleRate * frame.TotalSeconds));

    public static double ToDbfs(double amplitude) => amplitude <= 0 ? SilenceDbfs : Math.Max(SilenceDbfs, 20 * Math.Log10(amplitude));
}
