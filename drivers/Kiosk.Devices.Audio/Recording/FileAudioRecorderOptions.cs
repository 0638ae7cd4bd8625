namespace Kiosk.Devices.Audio;

/// <summary>Configuration of <see cref="FileAudioRecorder"/> (demo and test kiosks).</summary>
public sealed class FileAudioRecorderOptions
{
    /// <summary>The WAV file every recording "hears" (any rate, channels and PCM/float format NAudio reads). Required.</summary>
    public string Path { get; set; } = "";

    /// <summary>Take as long as the audio heard lasts (on the device's clock), as a person speaking would. Default true.</summary>
    public bool RealTime { get; set; } = true;

    /// <summary>Silence kept before the first and after the last speech when trimming. Default 250 ms.</summary>
    public TimeSpan TrimMargin { get; set; } = SilenceTrimmer.DefaultMargin;

    /// <summary>Voice activity detection tuning.</summary>
    public VoiceActivityOptions VoiceActivity { get; set; } = new();
}
