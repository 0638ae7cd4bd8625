namespace Kiosk.Devices.Audio;

/// <summary>Tuning of <see cref="VoiceActivityDetector"/>. The defaults suit a close-talking kiosk microphone at 16 kHz.</summary>
public sealed class VoiceActivityOptions
{
    /// <summary>A frame is loud enough for speech when its RMS is this far above the noise floor. Default 12 dB.</summary>
    public double ThresholdAboveNoiseDb { get; set; } = 12;

    /// <summary>...and above this absolute level, so a quiet room's hiss never counts as speech. Default −50 dBFS.</summary>
    public double MinimumSpeechDbfs { get; set; } = -50;

    /// <summary>How fast the noise floor may rise towards louder frames (it falls at once to quieter ones). Default 3 dB/s.</summary>
    public double NoiseFloorRiseDbPerSecond { get; set; } = 3;

    /// <summary>Loud frames needed in a row before speech starts (clicks and knocks are shorter). Default 60 ms.</summary>
    public TimeSpan Onset { get; set; } = TimeSpan.FromMilliseconds(60);

    /// <summary>Quiet time after the last loud frame before a speech segment ends (pauses between words are shorter). Default 300 ms.</summary>
    public TimeSpan Hangover { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Metering frame. Default 20 ms.</summary>
    public TimeSpan Frame { get; set; } = LevelMeter.DefaultFrame;

    /// <summary>Gathers every invalid setting into one message, or returns null.</summary>
    public string? Validate()
    {
        var errors = new List<string>();
        if (ThresholdAboveNoiseDb <= 0)
        {
            errors.Add($"{nameof(ThresholdAboveNoiseDb)} must be above 0 dB (is {ThresholdAboveNoiseDb})");
        }

        if (MinimumSpeechDbfs >= 0)
        {
            errors.Add($"{nameof(MinimumSpeechDbfs)} must be below 0 dBFS (is {MinimumSpeechDbfs})");
        }

        if (NoiseFloorRiseDbPerSecond < 0)
        {
            errors.Add($"{nameof(NoiseFloorRiseDbPerSecond)} must not be negative");
        }

        if (Frame <= TimeSpan.Zero || Onset < TimeSpan.Zero || Hangover < TimeSpan.Zero)
        {
            errors.Add($"{nameof(Frame)} must be positive, {nameof(Onset)} and {nameof(Hangover)} not negative");
        }

        return errors.Count == 0 ? null : "voice activity options: " + string.Join("; ", errors);
    }
}
