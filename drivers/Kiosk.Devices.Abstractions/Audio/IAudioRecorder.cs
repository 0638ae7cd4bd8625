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

    /// <summary>Receives the input level a few times a second while recording (for the screen's level meter); must return at once.</summary>
    public IProgress<AudioLevel>? Levels { get; init; }
}

/// <summary>The microphone's level at <see cref="Elapsed"/> into a recording: <see cref="Level"/> 0..1 (RMS on a dB scale), and whether it sounds like speech.</summary>
public readonly record struct AudioLevel(TimeSpan Elapsed, double Level, bool Speech);

/// <summary>A recording: RIFF/WAV PCM bytes, how long it is, and how much of it is speech.</summary>
public sealed record AudioClip(ReadOnlyMemory<byte> Wav, int SampleRate, int Channels, TimeSpan Duration, TimeSpan Speech);
