namespace Kiosk.Devices.Audio;

/// <summary>Configuration of <see cref="AplayAudioPlayer"/> (section "Audio:Player" of the agent's settings).</summary>
public sealed class AplayAudioPlayerOptions
{
    /// <summary>The playback program: aplay's path or name on PATH. Default "aplay".</summary>
    public string Command { get; set; } = "aplay";

    /// <summary>ALSA PCM name passed to -D (e.g. "default", "plughw:0,0", "dmix_speaker"). Default "default".</summary>
    public string Device { get; set; } = "default";

    /// <summary>
    /// Arguments for <see cref="Command"/>; null (the default) means <c>-D Device -q -</c>. Whatever runs gets the WAV
    /// file on stdin and must exit 0 when it has played it (tests use <c>sh -c "cat > /dev/null"</c> or sox).
    /// </summary>
    public IReadOnlyList<string>? Arguments { get; set; }

    /// <summary>Folder of named prompts: prompt "welcome" plays <c>PromptFolder/welcome.wav</c>. Default "prompts".</summary>
    public string PromptFolder { get; set; } = "prompts";

    internal IReadOnlyList<string> EffectiveArguments => Arguments ?? ["-D", Device, "-q", "-"];

    /// <summary>Gathers every invalid setting into one message, or returns null.</summary>
    public string? Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Command))
        {
            errors.Add($"{nameof(Command)} is empty (set it to aplay's path)");
        }

        if (string.IsNullOrWhiteSpace(Device) && Arguments is null)
        {
            errors.Add($"{nameof(Device)} is empty (try \"default\"; `aplay -L` lists the names)");
        }

        if (string.IsNullOrWhiteSpace(PromptFolder))
        {
            errors.Add($"{nameof(PromptFolder)} is empty");
        }

        return errors.Count == 0 ? null : "audio player options: " + string.Join("; ", errors);
    }
}
