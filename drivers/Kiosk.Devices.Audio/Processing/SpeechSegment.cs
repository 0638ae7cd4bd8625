namespace Kiosk.Devices.Audio;

/// <summary>One stretch of speech, from its first loud frame to its last (the hangover is not included).</summary>
public readonly record struct SpeechSegment(TimeSpan Start, TimeSpan End)
{
    public TimeSpan Duration => End - Start;
}
