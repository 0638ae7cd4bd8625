namespace Kiosk.Devices.Audio;

/// <summary>What <see cref="VoiceActivityDetector"/> found in a piece of audio.</summary>
public sealed record VoiceActivity(IReadOnlyList<SpeechSegment> Segments, TimeSpan Duration)
{
    public bool HasSpeech => Segments.Count > 0;

    /// <summary>Total speech time: the sum of the segments.</summary>
    public TimeSpan Speech => Segments.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);

    public TimeSpan? FirstSpeech => HasSpeech ? Segments[0].Start : null;

    public TimeSpan? LastSpeechEnd => HasSpeech ? Segments[^1].End : null;
}
