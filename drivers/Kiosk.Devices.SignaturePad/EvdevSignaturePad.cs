namespace Kiosk.Devices.SignaturePad;

/// <summary>
/// A pen digitiser as Linux exposes it: <c>struct input_event</c> records from an evdev node, turned
/// into an ISO/IEC 19794-7 style pen time series and a rendered PNG. Fingerprints are delegated to an
/// <see cref="IFingerprintReader"/> when one is given (a signature-and-fingerprint pad whose sensor is
/// a separate USB function); without one, <see cref="CaptureFingerprintAsync"/> is Unsupported.
/// Thread safety: as <see cref="IDevice"/>; one operation at a time.
/// </summary>
public sealed class EvdevSignaturePad : DeviceBase, ISignaturePad
{
    /// <summary>errno ENODEV (asm-generic/errno-base.h): a read from an evdev node whose device was unplugged.</summary>
    private const int NoSuchDevice = 19;

    private readonly Stream _events;
    private readonly bool _shouldDispose;
    private readonly EvdevSignaturePadOptions _options;
    private readonly IFingerprintReader? _fingerprintReader;
    private readonly InputEventReader _reader;
    private readonly PenStateDecoder _decoder;
    private PenReport? _carried;

    /// <param name="name">Configured device name.</param>
    /// <param name="events">The evdev event stream (production: the node opened read-only; tests: a recording).</param>
    /// <param name="options">Axis ranges, resolution and timing; validated here.</param>
    /// <param name="timeProvider">Clock of the pen-up idle time and the timeouts.</param>
    /// <param name="fingerprintReader">The reader that takes fingerprints for this pad, or null when the pad has none.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="events"/> with the pad.</param>
    public EvdevSignaturePad(string name, Stream events, EvdevSignaturePadOptions options, TimeProvider timeProvider, IFingerprintReader? fingerprintReader = null, bool shouldDispose = true)
        : base(name, DeviceClass.SignaturePad, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problems)
        {
            throw new ArgumentException($"Signature pad '{name}': {problems}.", nameof(options));
        }

        _events = events;
        _shouldDispose = shouldDispose;
        _options = options;
        _fingerprintReader = fingerprintReader;
        _reader = new InputEventReader(events, timeProvider);
        _decoder = new PenStateDecoder(options);
        var features = new List<string> { "iso19794-7", $"pressureLevels={options.MaxPressure + 1}", $"unitsPerMillimetre={options.UnitsPerMillimetre}" };
        if (fingerprintReader is not null)
        {
            features.Add("fingerprint");
        }

        Capabilities = new DeviceCapabilities { Model = "Linux evdev pen digitiser", SerialNumber = options.DevicePath, Features = features };
    }

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>Opens <see cref="EvdevSignaturePadOptions.DevicePath"/> read-only and returns a pad that owns it.</summary>
    public static EvdevSignaturePad OpenDevice(string name, EvdevSignaturePadOptions options, TimeProvider timeProvider, IFingerprintReader? fingerprintReader = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // bufferSize 0: no FileStream buffering over a character device; the reader asks for whole records.
        var stream = new FileStream(options.DevicePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        try
        {
            return new EvdevSignaturePad(name, stream, options, timeProvider, fingerprintReader, shouldDispose: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_events.CanRead)
        {
            SetStatus(DeviceStatus.NoDevice, "event stream is not readable");
            return Task.FromResult(DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name}: the event stream cannot be read"));
        }

        SetStatus(DeviceStatus.Online, "opened");
        return Task.FromResult(DeviceResult<Done>.Success(default));
    }

    public Task<DeviceResult<SignatureCapture>> CaptureSignatureAsync(DeviceClaim claim, SignatureRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => CaptureCoreAsync(request.Pen, cancellationToken, ct), cancellationToken);
    }

    public Task<DeviceResult<FingerprintCapture>> CaptureFingerprintAsync(DeviceClaim claim, FingerprintRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => FingerprintCoreAsync(request, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        Task.FromResult(Status is DeviceStatus.NoDevice || !_events.CanRead
            ? DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name}: the event stream has ended; reopen {_options.DevicePath}")
            : DeviceResult<Done>.Success(default));

    protected override async ValueTask DisposeCoreAsync()
    {
        if (_shouldDispose)
        {
            await _events.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeCoreAsync().ConfigureAwait(false);
    }

    private async Task<DeviceResult<SignatureCapture>> CaptureCoreAsync(IProgress<PenProgress>? pen, CancellationToken callerToken, CancellationToken cancellationToken)
    {
        var (width, height, maxPressure) = (_options.MaxX + 1, _options.MaxY + 1, _options.MaxPressure);
        var assembler = new SignatureAssembler(
            (long)_options.PenUpIdleTime.TotalMicroseconds,
            pen is null ? null : sample => pen.Report(new PenProgress(sample, width, height) { MaxPressure = maxPressure }));
        try
        {
            if (_carried is { } carried)
            {
                _carried = null;
                assembler.Offer(carried);
            }

            while (true)
            {
                var idle = assembler.AwaitingIdle ? _options.PenUpIdleTime : (TimeSpan?)null;
                var (outcome, e) = await _reader.ReadAsync(idle, cancellationToken).ConfigureAwait(false);
                switch (outcome)
                {
                    case ReadOutcome.Idle:
                        return Complete(assembler);
                    case ReadOutcome.EndOfStream:
                        return Unplugged<SignatureCapture>("the event stream ended");
                    case ReadOutcome.Truncated:
                        return DeviceResult<SignatureCapture>.Failure(CompletionCode.InvalidData, $"{Name}: the event stream ended inside a {EvdevCodes.RecordSize}-byte input_event record", "truncated");
                }

                var (report, error) = _decoder.Apply(e);
                if (error is not null)
                {
                    return DeviceResult<SignatureCapture>.Failure(CompletionCode.InvalidData, $"{Name}: {error}", "impossible-event");
                }

                if (report is { } r && assembler.Offer(r) == AssemblyStep.CompleteBefore)
                {
                    _carried = r;
                    return Complete(assembler);
                }
            }
        }
        catch (OperationCanceledException) when (!callerToken.IsCancellationRequested && !assembler.SawPenDown)
        {
            return DeviceResult<SignatureCapture>.Failure(CompletionCode.NoMedia, $"{Name}: the pen did not touch the pad in time");
        }
        catch (IOException ex) when (ex.HResult == NoSuchDevice)
        {
            return Unplugged<SignatureCapture>(ex.Message);
        }
    }

    private DeviceResult<SignatureCapture> Complete(SignatureAssembler assembler)
    {
        assembler.Finish();
        var samples = assembler.Samples.ToArray();
        var width = _options.MaxX + 1;
        var height = _options.MaxY + 1;
        var rendering = SignatureRenderer.Render(samples, width, height, _options.RenderWidth);
        SetStatus(DeviceStatus.Online, "signature captured");
        return DeviceResult<SignatureCapture>.Success(new SignatureCapture(samples, width, height, _options.MaxPressure, _options.UnitsPerMillimetre, rendering));
    }

    private DeviceResult<T> Unplugged<T>(string reason)
    {
        SetStatus(DeviceStatus.NoDevice, reason);
        return DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{Name}: {reason}; the pad was unplugged", "ENODEV");
    }

    private async Task<DeviceResult<FingerprintCapture>> FingerprintCoreAsync(FingerprintRequest request, CancellationToken cancellationToken)
    {
        if (_fingerprintReader is null)
        {
            return DeviceResult<FingerprintCapture>.Failure(CompletionCode.Unsupported, $"{Name} has no fingerprint reader configured");
        }

        var claimed = await _fingerprintReader.ClaimAsync(Name, request.Timeout, cancellationToken).ConfigureAwait(false);
        if (!claimed.IsSuccess)
        {
            return claimed.As<FingerprintCapture>();
        }

        using var claim = claimed.Value!;
        return await _fingerprintReader.CaptureFingerprintAsync(claim, request, cancellationToken).ConfigureAwait(false);
    }
}
