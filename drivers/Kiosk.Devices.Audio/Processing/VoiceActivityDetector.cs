namespace Kiosk.Devices.Audio;

/// <summary>
/// Energy-based voice activity detection, frame by frame, usable on a live stream (<see cref="Push"/>)
/// or on a whole clip (<see cref="Detect"/>). A frame is loud when its RMS is
/// <see cref="VoiceActivityOptions.ThresholdAboveNoiseDb"/> above an adaptive noise floor and above
/// <see cref="VoiceActivityOptions.MinimumSpeechDbfs"/>; speech starts after
/// <see cref="VoiceActivityOptions.Onset"/> of loud frames and ends after <see cref="VoiceActivityOptions.Hangover"/>
/// of quiet ones. The floor starts at the first frame's level, drops at once to any quieter frame and rises
/// slowly otherwise.
/// Limits: it measures loudness, not speech. Loud steady noise that starts after the floor settled (a door,
/// music, a second voice) counts as speech until the floor catches up; speech from the first frame on sets the
/// floor too high until the first pause; whispering below the absolute threshold is missed.
/// Not thread-safe: one instance per stream.
/// </summary>
public sealed class VoiceActivityDetector
{
    private readonly VoiceActivityOptions _options;
    private readonly List<SpeechSegment> _segments = [];
    private readonly int _onsetFrames;
    private double? _noiseFloor;
    private int _loudRun;
    private TimeSpan _runStart;
    private TimeSpan? _segmentStart;
    private TimeSpan _lastLoudEnd;
    private TimeSpan _position;

    public VoiceActivityDetector(VoiceActivityOptions? options = null)
    {
        _options = options ?? new VoiceActivityOptions();
        if (_options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        _onsetFrames = Math.Max(1, (int)Math.Ceiling(_options.Onset / _options.Frame));
    }

    /// <summary>True while inside a speech segment (including its hangover).</summary>
    public bool InSpeech => _segmentStart is not null;

    /// <summary>True once any speech has started.</summary>
    public bool HeardSpeech => _segments.Count > 0 || InSpeech;

    /// <summary>Time since the end of the last loud speech frame, zero before any speech.</summary>
    public TimeSpan SilenceSinceSpeech => HeardSpeech ? _position - _lastLoudEnd : TimeSpan.Zero;

    /// <summary>The current noise floor in dBFS.</summary>
    public double NoiseFloorDbfs => _noiseFloor ?? LevelMeter.SilenceDbfs;

    /// <summary>Audio seen so far.</summary>
    public TimeSpan Position => _position;

    /// <summary>Speech segments so far; an open segment is counted up to its last loud frame.</summary>
    public VoiceActivity Result =>
        new(_segmentStart is { } start ? [.. _segments, new SpeechSegment(start, _lastLoudEnd)] : [.. _segments], _position);

    /// <summary>Finds the speech in a whole mono clip.</summary>
    public static VoiceActivity Detect(AudioSamples audio, VoiceActivityOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(audio);
        var detector = new VoiceActivityDetector(options);
        foreach (var level in LevelMeter.Measure(audio, detector._options.Frame))
        {
            detector.Push(level);
        }

        return detector.Result;
    }

    /// <summary>Takes the next frame's level; returns whether the stream is in speech after it.</summary>
    public bool Push(FrameLevel level)
    {
        _position = level.End;
        var floor = _noiseFloor ?? level.RmsDbfs;
        var loud = level.RmsDbfs >= floor + _options.ThresholdAboveNoiseDb && level.RmsDbfs >= _options.MinimumSpeechDbfs;
        _noiseFloor = level.RmsDbfs < floor
            ? level.RmsDbfs
            : Math.Min(level.RmsDbfs, floor + (_options.NoiseFloorRiseDbPerSecond * level.Length.TotalSeconds));

        if (loud)
        {
            _runStart = _loudRun == 0 ? level.Start : _runStart;
            _loudRun++;
            if (_segmentStart is not null || _loudRun >= _onsetFrames)
            {
                _segmentStart ??= _runStart;
                _lastLoudEnd = level.End;
            }
        }
        else
        {
            _loudRun = 0;
            if (_segmentStart is { } start && _position - _lastLoudEnd >= _options.Hangover)
            {
                _segments.Add(new SpeechSegment(start, _lastLoudEnd));
                _segmentStart = null;
            }
        }

        return InSpeech;
    }
}
