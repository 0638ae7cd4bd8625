namespace Kiosk.Devices.Audio;

/// <summary>Cuts the silence before the first and after the last speech, keeping a small margin so words are not clipped.</summary>
public static class SilenceTrimmer
{
    /// <summary>Margin kept on each side by default: enough for soft word onsets and trailing consonants.</summary>
    public static readonly TimeSpan DefaultMargin = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The audio from <paramref name="activity"/>'s first speech minus the margin to its last speech plus the margin
    /// (clamped to the clip). Audio without speech comes back empty.
    /// </summary>
    public static AudioSamples Trim(AudioSamples audio, VoiceActivity activity, TimeSpan? margin = null)
    {
        ArgumentNullException.ThrowIfNull(audio);
        ArgumentNullException.ThrowIfNull(activity);
        if (activity.FirstSpeech is not { } first || activity.LastSpeechEnd is not { } last)
        {
            return new AudioSamples(ReadOnlyMemory<float>.Empty, audio.SampleRate, audio.Channels);
        }

        var keep = margin ?? DefaultMargin;
        var from = Math.Clamp((long)Math.Floor((first - keep).TotalSeconds * audio.SampleRate), 0, audio.Frames);
        var to = Math.Clamp((long)Math.Ceiling((last + keep).TotalSeconds * audio.SampleRate), from, audio.Frames);
        return new AudioSamples(audio.Samples.Slice((int)from * audio.Channels, (int)(to - from) * audio.Channels), audio.SampleRate, audio.Channels);
    }

    /// <summary>Detects speech in mono audio and trims it; returns the trimmed audio and what was found.</summary>
    public static (AudioSamples Trimmed, VoiceActivity Activity) TrimToSpeech(AudioSamples audio, VoiceActivityOptions? options = null, TimeSpan? margin = null)
    {
        var activity = VoiceActivityDetector.Detect(audio, options);
        return (Trim(audio, activity, margin), activity);
    }
}
