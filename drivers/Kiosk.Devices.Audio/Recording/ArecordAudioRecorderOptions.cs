using System.Globalization;

namespace Kiosk.Devices.Audio;

/// <summary>Configuration of <see cref="ArecordAudioRecorder"/> (section "Audio:Recorder" of the agent's settings).</summary>
public sealed class ArecordAudioRecorderOptions
{
    /// <summary>The capture program: arecord's path or name on PATH. Default "arecord".</summary>
    public string Command { get; set; } = "arecord";

    /// <summary>ALSA PCM name passed to -D (e.g. "default", "plughw:1,0", "dsnoop_mic"). Default "default".</summary>
    public string Device { get; set; } = "default";

    /// <summary>Rate the device captures at; recordings are resampled to the request's rate. Default 16000.</summary>
    public int SampleRate { get; set; } = 16000;

    /// <summary>
    /// Arguments for <see cref="Command"/>; null (the default) means arecord's
    /// <c>-D Device -f S16_LE -r SampleRate -c 1 -t raw -q</c>. Whatever runs must write raw 16-bit little-endian
    /// mono PCM at <see cref="SampleRate"/> to stdout (tests use sox or cat on a file as the stand-in).
    /// </summary>
    public IReadOnlyList<string>? Arguments { get; set; }

    /// <summary>Silence kept before the first and after the last speech when trimming. Default 250 ms.</summary>
    public TimeSpan TrimMargin { get; set; } = SilenceTrimmer.DefaultMargin;

    /// <summary>How long past the request's MaxDuration the capture may take before it counts as hung. Default 10 s.</summary>
    public TimeSpan TimeoutMargin { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Voice activity detection tuning.</summary>
    public VoiceActivityOptions VoiceActivity { get; set; } = new();

    internal IReadOnlyList<string> EffectiveArguments => Arguments ??
        ["-D", Device, "-f", "S16_LE", "-r", SampleRate.ToString(CultureInfo.InvariantCulture), "-c", "1", "-t", "raw", "-q"];

    /// <summary>Gathers every invalid setting into one message, or returns null.</summary>
    public string? Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Command))
        {
            errors.Add($"{nameof(Command)} is empty (set it to arecord's path)");
        }

        if (string.IsNullOrWhiteSpace(Device) && Arguments is null)
        {
            errors.Add($"{nameof(Device)} is empty (try \"default\"; `arecord -L` lists the names)");
        }

        if (SampleRate is < 8000 or > 192000)
        {
            errors.Add($"{nameof(SampleRate)} {SampleRate} is outside 8000..192000");
        }

        if (TrimMargin < TimeSpan.Zero || TimeoutMargin <= TimeSpan.Zero)
        {
            errors.Add($"{nameof(TrimMargin)} must not be negative and {nameof(TimeoutMargin)} must be positive");
        }

        if (VoiceActivity?.Validate() is { } vad)
        {
            errors.Add(vad);
        }

        return errors.Count == 0 ? null : "audio recorder options: " + string.Join("; ", errors);
    }
}
