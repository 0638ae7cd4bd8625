namespace Kiosk.Devices.Audio;

/// <summary>
/// The level meter a screen shows while a recording runs: sums the recording's metering frames (<see cref="LevelMeter"/>,
/// the frames <see cref="VoiceActivityDetector"/> already gets) into one <see cref="AudioLevel"/> per
/// <see cref="AudioLevel.Interval"/> of audio, the RMS of the interval on the meter's scale (<see cref="AudioLevel.FromDbfs"/>),
/// and reports it. A recorder builds one only when the request has a reporter, so a recording without one costs nothing
/// more. <paramref name="report"/> is called on the thread that pushes. Not thread-safe: one instance per recording, fed in order.
/// </summary>
internal sealed class LiveLevelMeter(Action<AudioLevel> report)
{
    private double _energy;
    private TimeSpan _length;

    /// <summary>Takes the next frame and whether the detector is in speech after it; reports when an interval is complete.</summary>
    public void Push(FrameLevel frame, bool inSpeech)
    {
        var rms = frame.RmsDbfs <= LevelMeter.SilenceDbfs ? 0 : Math.Pow(10, frame.RmsDbfs / 20);
        _energy += rms * rms * frame.Length.TotalSeconds;
        _length += frame.Length;
        if (_length < AudioLevel.Interval)
        {
            return;
        }

        var intervalRms = Math.Sqrt(_energy / _length.TotalSeconds);
        report(new AudioLevel(frame.End, AudioLevel.FromDbfs(LevelMeter.ToDbfs(intervalRms)), inSpeech));
        _energy = 0;
        _length = TimeSpan.Zero;
    }
}
