namespace Kiosk.Devices;

/// <summary>Microphone: records a spoken report (思想汇报) as WAV.</summary>
public interface IAudioRecorder : IDevice
{
    Task<DeviceResult<AudioClip>> RecordAsync(DeviceClaim claim, AudioRecordRequest request, CancellationToken cancellationToken);
}

public sealed record AudioRecordRequest
{
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(3);
    /// <summary>Stop after this much silence following speech.</summary>
    public TimeSpan StopAfterSilence { get; init; } = TimeSpan.FromSeconds(3);
    public int SampleRate { get; init; } = 16000;

    /// <summary>
    /// Cancelled when the person says they have finished (the screen's "I'm done"): the recording ends there and keeps what
    /// was heard, unlike the operation's cancellation token, which abandons it.
    /// </summary>
    public CancellationToken Finish { get; init; }

    /// <summary>
    /// Receives the input level a few times a second while recording (every <see cref="AudioLevel.Interval"/> of audio, for
    /// the screen's level meter and countdown), in order; must return at once. Null: nothing is reported and the recording
    /// is unchanged.
    /// </summary>
    public IProgress<AudioLevel>? Levels { get; init; }
}

/// <summary>
/// The microphone's level over the <see cref="Interval"/> of audio that ends <see cref="Elapsed"/> into a recording:
/// <see cref="Level"/> 0..1 (its RMS on a dB scale, <see cref="FromDbfs"/>), and whether it sounds like speech.
/// </summary>
public readonly record struct AudioLevel(TimeSpan Elapsed, double Level, bool Speech)
{
    /// <summary>How much audio one report covers: 100 ms, ten a second, enough for a meter that follows a voice.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    /// <summary>The bottom of the meter: a quiet room through a kiosk microphone reads about −60 dBFS RMS.</summary>
    public const double FloorDbfs = -60;

    /// <summary>
    /// An RMS level in dBFS (20·log10 against full scale 1.0) on the meter's 0..1 scale: <see cref="FloorDbfs"/> and below
    /// is 0, full scale is 1, linear in dB between (so ordinary speech at −30 to −15 dBFS fills half to three quarters).
    /// </summary>
    public static double FromDbfs(double rmsDbfs) => double.IsNaN(rmsDbfs) ? 0 : Math.Clamp((rmsDbfs - FloorDbfs) / -FloorDbfs, 0, 1);
}

/// <summary>A recording: RIFF/WAV PCM bytes, how long it is, and how much of it is speech.</summary>
public sealed record AudioClip(ReadOnlyMemory<byte> Wav, int SampleRate, int Channels, TimeSpan Duration, TimeSpan Speech);
