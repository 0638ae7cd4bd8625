namespace Kiosk.Devices.Audio;

/// <summary>
/// Microphone through ALSA: runs <c>arecord -D device -f S16_LE -r rate -c 1 -t raw</c> and reads PCM from its
/// stdout, watching it with <see cref="VoiceActivityDetector"/>; stops after the request's StopAfterSilence of
/// silence following speech, or at MaxDuration, and returns the speech trimmed of leading and trailing silence. The
/// request's level reporter, if any, gets the level as the audio arrives (<see cref="LiveLevelMeter"/>).
/// Any program that writes the same raw PCM can stand in for arecord (<see cref="ArecordAudioRecorderOptions.Arguments"/>).
/// </summary>
public sealed class ArecordAudioRecorder : DeviceBase, IAudioRecorder
{
    private readonly ArecordAudioRecorderOptions _options;
    private volatile bool _open;

    public ArecordAudioRecorder(string name, ArecordAudioRecorderOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.AudioRecorder, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } error)
        {
            throw new ArgumentException(error, nameof(options));
        }

        _options = options;
        Capabilities = new DeviceCapabilities
        {
            Model = $"ALSA capture {options.Device} via {Path.GetFileName(options.Command)}",
            Features = ["wav", $"sampleRate={options.SampleRate}", "channels=1", "bits=16", "speechDetection", "silenceTrimming"],
        };
    }

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>How long a recording may take: MaxDuration plus the configured margin.</summary>
    public TimeSpan TimeoutOf(AudioRecordRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.MaxDuration + _options.TimeoutMargin;
    }

    /// <summary>Checks that the capture program is installed; whether the card is there shows on the first capture (or an external health check).</summary>
    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = CommandLocator.OpenProgram(_options.Command, SetStatus);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<AudioClip>> RecordAsync(DeviceClaim claim, AudioRecordRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, TimeoutOf(request), ct => RecordCoreAsync(request, ct), cancellationToken);
    }

    /// <summary>Internal: opened. External and interactive: the device delivers its first 20 ms of audio.</summary>
    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open");
        }

        if (level == HealthCheckLevel.Internal)
        {
            return DeviceResult<Done>.Success(default);
        }

        var frameBytes = FrameBytes();
        var outcome = await PcmCapture.RunAsync(_options.Command, _options.EffectiveArguments, frameBytes, frameBytes, _ => true, cancellationToken).ConfigureAwait(false);
        return Conclude(outcome, () => outcome.Pcm.Length >= frameBytes
            ? DeviceResult<Done>.Success(default)
            : DeviceResult<Done>.Failure(CompletionCode.HardwareError, $"{Name}: the capture ended before delivering audio"));
    }

    private async Task<DeviceResult<AudioClip>> RecordCoreAsync(AudioRecordRequest request, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return DeviceResult<AudioClip>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open");
        }

        if (request.MaxDuration <= TimeSpan.Zero || request.StopAfterSilence <= TimeSpan.Zero || request.SampleRate is < 8000 or > 192000)
        {
            return DeviceResult<AudioClip>.Failure(CompletionCode.InvalidData, $"MaxDuration and StopAfterSilence must be positive and SampleRate within 8000..192000 (got {request})");
        }

        var rate = _options.SampleRate;
        var frameBytes = FrameBytes();
        var maxBytes = (long)Math.Ceiling(request.MaxDuration.TotalSeconds * rate) * 2;
        var detector = new VoiceActivityDetector(_options.VoiceActivity);
        var frame = _options.VoiceActivity.Frame;
        var samples = new float[frameBytes / 2];
        var meter = request.Levels is { } levels ? new LiveLevelMeter(levels.Report) : null;
        var outcome = await PcmCapture.RunAsync(_options.Command, _options.EffectiveArguments, frameBytes, maxBytes, pcm =>
        {
            Pcm16.ToFloat(pcm.Span, samples);
            var level = LevelMeter.MeasureFrame(samples, detector.Position, frame);
            detector.Push(level);
            meter?.Push(level, detector.InSpeech);
            return request.Finish.IsCancellationRequested || (detector.HeardSpeech && detector.SilenceSinceSpeech >= request.StopAfterSilence);
        }, cancellationToken).ConfigureAwait(false);

        return Conclude(outcome, () =>
        {
            var captured = AudioSamples.FromPcm16(outcome.Pcm, rate, 1);
            return SpeechClip.From(captured, detector.Result, _options.TrimMargin, request.SampleRate);
        });
    }

    private DeviceResult<T> Conclude<T>(CaptureOutcome outcome, Func<DeviceResult<T>> onCaptured)
    {
        if (outcome.Failure<T>(Name) is var (failure, status))
        {
            if (status is { } newStatus)
            {
                SetStatus(newStatus, failure.Description);
            }

            return failure;
        }

        SetStatus(DeviceStatus.Online, "captured");
        return onCaptured();
    }

    private int FrameBytes() => LevelMeter.SamplesPerFrame(_options.SampleRate, _options.VoiceActivity.Frame) * 2;
}
