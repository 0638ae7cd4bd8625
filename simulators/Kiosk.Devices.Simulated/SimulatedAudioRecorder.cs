namespace Kiosk.Devices.Simulated;

/// <summary>
/// A microphone in front of which someone reads a short report: every recording is speech.wav from the
/// test data (16 kHz mono PCM with leading and trailing silence), with its speech time measured from the
/// samples. The request's level reporter gets the clip's level every 100 ms of it (<see cref="WavClip.MeasureLevels"/>),
/// played out over <see cref="SimulationOptions.LiveCaptureDuration"/> after the operation delay (again and again until
/// "I'm done" or the limit with <see cref="SimulationOptions.SpeakUntilFinished"/>). Faults: the common ones
/// and Silence (nobody speaks: NoMedia).
/// </summary>
public sealed class SimulatedAudioRecorder : DeviceBase, IAudioRecorder
{
    private const string SpeechFile = "speech.wav";

    /// <summary>Margin beyond the longest recording before the operation counts as hung.</summary>
    private static readonly TimeSpan TimeoutMargin = TimeSpan.FromSeconds(10);

    private readonly SimulationOptions _options;
    private readonly FaultPlayer _player;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private WavClip? _clip;
    private TimeSpan _speech;
    private IReadOnlyList<AudioLevel> _levels = [];
    private volatile bool _open;

    public SimulatedAudioRecorder(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.AudioRecorder, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.AudioRecorder, options.Seed, "wav", "sampleRate=16000", "channels=1", "bits=16", "speechDetection");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>How long an operation may take: the longest recording plus a margin (the request has no timeout of its own).</summary>
    public static TimeSpan TimeoutOf(AudioRecordRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.MaxDuration + TimeoutMargin;
    }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var failure = TestDataFiles.TryLoad(_options, [SpeechFile], _files);
        var clip = failure is null ? WavClip.TryParse(_files[SpeechFile]) : null;
        if (failure is null && clip is null)
        {
            failure = DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{SpeechFile} is not 16-bit PCM WAV; delete it and run tests/data/fetch-test-data.sh");
        }

        if (failure is null)
        {
            _clip = clip;
            _speech = clip!.MeasureSpeech(_files[SpeechFile]);
            _levels = clip.MeasureLevels(_files[SpeechFile]);
        }

        var opened = _player.Open(failure);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<AudioClip>> RecordAsync(DeviceClaim claim, AudioRecordRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, TimeoutOf(request), ct => RecordCoreAsync(request, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<AudioClip>> RecordCoreAsync(AudioRecordRequest request, CancellationToken cancellationToken)
    {
        if (!_open || _clip is not { } clip)
        {
            return _player.NotOpen<AudioClip>();
        }

        var fault = Faults.Take();
        var failure = await _player.PlayAsync<AudioClip>(fault, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (fault == SimulatedFault.Silence)
        {
            return DeviceResult<AudioClip>.Failure(CompletionCode.NoMedia, "no speech heard");
        }

        if (request.SampleRate != clip.SampleRate)
        {
            return DeviceResult<AudioClip>.Failure(CompletionCode.Unsupported, $"the simulated microphone records at {clip.SampleRate} Hz only, not {request.SampleRate} Hz");
        }

        // The person speaks: the clip's levels come over LiveCaptureDuration, as a microphone's meter follows a voice.
        var levels = _levels;
        var reporter = request.Levels;
        using var speaking = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.Finish);
        var started = TimeProvider.GetTimestamp();
        try
        {
            do
            {
                await LivePlayback.PlayAsync(TimeProvider, _options.LiveCaptureDuration, levels.Count, reporter is null ? null : i => reporter.Report(levels[i]), speaking.Token).ConfigureAwait(false);
            }
            while (_options.SpeakUntilFinished && TimeProvider.GetElapsedTime(started) + _options.LiveCaptureDuration <= request.MaxDuration);
        }
        catch (OperationCanceledException) when (request.Finish.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // "I'm done": the simulated person has said what the clip holds; it is returned whole.
        }

        return DeviceResult<AudioClip>.Success(new AudioClip(_files[SpeechFile], clip.SampleRate, clip.Channels, clip.Duration, _speech));
    }
}
