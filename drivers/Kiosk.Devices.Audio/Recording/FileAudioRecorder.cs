namespace Kiosk.Devices.Audio;

/// <summary>
/// A microphone that hears a WAV file: each recording reads the file, converts it to mono at the requested rate,
/// cuts it at MaxDuration and at StopAfterSilence after speech, and trims it like <see cref="ArecordAudioRecorder"/>.
/// Takes as long as the audio it heard lasts, on the injected clock (unless <see cref="FileAudioRecorderOptions.RealTime"/>
/// is off), and reports the request's levels as that time passes (<see cref="LevelPlayback"/>; all at once when not in real
/// time). For demo kiosks and tests; a missing file is NoDevice,
/// a file that is not WAV is InvalidData.
/// </summary>
public sealed class FileAudioRecorder : DeviceBase, IAudioRecorder
{
    private readonly FileAudioRecorderOptions _options;
    private volatile bool _open;

    public FileAudioRecorder(string name, FileAudioRecorderOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.AudioRecorder, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.VoiceActivity?.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        _options = options;
        Capabilities = new DeviceCapabilities
        {
            Model = $"WAV file {System.IO.Path.GetFileName(options.Path)}",
            Features = ["wav", "channels=1", "bits=16", "speechDetection", "silenceTrimming"],
        };
    }

    public override DeviceCapabilities Capabilities { get; }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_options.Path))
        {
            var description = $"recording source '{_options.Path}' does not exist";
            SetStatus(DeviceStatus.NoDevice, description);
            return Task.FromResult(DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, description));
        }

        _open = true;
        SetStatus(DeviceStatus.Online, "opened");
        return Task.FromResult(DeviceResult<Done>.Success(default));
    }

    public Task<DeviceResult<AudioClip>> RecordAsync(DeviceClaim claim, AudioRecordRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.MaxDuration + TimeSpan.FromSeconds(10), ct => RecordCoreAsync(request, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        Task.FromResult(_open && File.Exists(_options.Path)
            ? DeviceResult<Done>.Success(default)
            : DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name}: '{_options.Path}' is not there"));

    private async Task<DeviceResult<AudioClip>> RecordCoreAsync(AudioRecordRequest request, CancellationToken cancellationToken)
    {
        if (!_open || !File.Exists(_options.Path))
        {
            SetStatus(DeviceStatus.NoDevice, $"'{_options.Path}' is not there");
            return DeviceResult<AudioClip>.Failure(CompletionCode.DeviceNotReady, $"{Name}: '{_options.Path}' is not there");
        }

        if (!WavFile.TryRead(File.ReadAllBytes(_options.Path), out var audio, out var error))
        {
            return DeviceResult<AudioClip>.Failure(CompletionCode.InvalidData, $"{_options.Path} is not WAV: {error}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var mono = AudioResampler.ToSpeechFormat(audio!, request.SampleRate);
        var detector = new VoiceActivityDetector(_options.VoiceActivity);
        var frame = _options.VoiceActivity.Frame;
        var frameLength = LevelMeter.SamplesPerFrame(mono.SampleRate, frame);
        var end = Math.Min(mono.Frames, (int)(request.MaxDuration.TotalSeconds * mono.SampleRate));
        var levels = request.Levels is null ? null : new List<AudioLevel>();
        var meter = levels is null ? null : new LiveLevelMeter(levels.Add);
        var at = 0;
        for (; at + frameLength <= end; at += frameLength)
        {
            var level = LevelMeter.MeasureFrame(mono.Samples.Span.Slice(at, frameLength), detector.Position, frame);
            detector.Push(level);
            meter?.Push(level, detector.InSpeech);
            if (detector.HeardSpeech && detector.SilenceSinceSpeech >= request.StopAfterSilence)
            {
                at += frameLength;
                break;
            }
        }

        var heard = new AudioSamples(mono.Samples[..Math.Min(at, end)], mono.SampleRate, 1);
        if (_options.RealTime)
        {
            // The levels come as the audio would be heard; the wait is the same one delay with or without them.
            using var playback = levels is null ? null : new LevelPlayback(levels, request.Levels!, TimeProvider);
            using var listening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.Finish);
            try
            {
                await Task.Delay(heard.Duration, TimeProvider, listening.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (request.Finish.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // "I'm done": the stand-in stops waiting; the clip is what the file holds up to its own stop (the file was
                // read, and its speech measured, when the recording started).
            }

            playback?.Finish();
        }
        else
        {
            foreach (var level in levels ?? [])
            {
                request.Levels!.Report(level);
            }
        }

        SetStatus(DeviceStatus.Online, "read");
        return SpeechClip.From(heard, detector.Result, _options.TrimMargin, request.SampleRate);
    }
}
