using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// A face camera over OpenCV's <see cref="VideoCapture"/> (USB/V4L2 camera, RTSP stream, video file or
/// image sequence). Each capture reads <see cref="FaceCaptureRequest.BurstFrames"/> frames, runs
/// <see cref="FaceAnalyzer"/> on each and returns the best single-face frame as JPEG with its quality
/// scores and the result of a motion-based liveness check. A request with a <see cref="FaceCaptureRequest.Preview"/>
/// listener also gets small preview frames with the face box and a hint as the frames are analysed (<see cref="FacePreviewFeed"/>).
/// Thread safety: as <see cref="IDevice"/>; one operation at a time (DeviceBase).
/// </summary>
public sealed class OpenCvFaceCamera : DeviceBase, IFaceCamera
{
    // A native read that outlives its operation's timeout holds the VideoCapture; dispose waits this
    // long for it before leaving the native objects to the finaliser rather than freeing them under it.
    private static readonly TimeSpan DisposeGrace = TimeSpan.FromSeconds(5);

    private readonly FaceCameraOptions _options;
    private readonly FrameSource _source;
    private readonly FaceAnalyzer _analyzer;
    private Task _pendingRead = Task.CompletedTask;

    /// <exception cref="ArgumentException">The options are invalid (every error named), or a cascade cannot be loaded.</exception>
    public OpenCvFaceCamera(string name, FaceCameraOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.FaceCamera, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        _options = options;
        _analyzer = new FaceAnalyzer(options);
        _source = new FrameSource(options);
        Capabilities = new DeviceCapabilities
        {
            Model = $"OpenCV {Cv2.GetVersionString()} VideoCapture",
            SerialNumber = options.Source,
            Features = ["jpeg", "qualityScores", "bestOfBurst", "liveness=motion", "challenge=blink", .. options.Detector == FaceDetectorKind.BlazeFace ? ["challenge=turn"] : Array.Empty<string>(), $"detector={options.Detector}", $"jpegQuality={options.JpegQuality}"],
        };
    }

    public override DeviceCapabilities Capabilities { get; }

    public override async Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var failure = await RunReadAsync(() => _source.TryOpen(), cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            SetStatus(DeviceStatus.NoDevice, failure);
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, failure, "open");
        }

        SetStatus(DeviceStatus.Online, $"opened {_options.Source} ({_source.Backend})");
        return DeviceResult<Done>.Success(default);
    }

    public Task<DeviceResult<FaceCapture>> CaptureFaceAsync(DeviceClaim claim, FaceCaptureRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var burst = Math.Max(1, request.BurstFrames);
        return RunClaimedAsync(claim, request.Timeout, ct => RunReadAsync(() => request.Challenge == FaceChallenge.None
            ? Capture(burst, FacePreviewFeed.For(request.Preview, _options, TimeProvider), ct)
            : CaptureChallenge(request.Challenge, FacePreviewFeed.For(request.Preview, _options, TimeProvider), ct), ct), cancellationToken);
    }

    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (level == HealthCheckLevel.Internal)
        {
            return _source.IsOpen
                ? DeviceResult<Done>.Success(default)
                : DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{_options.Source} is not open");
        }

        // External grabs one frame; interactive needs the technician's face in front of the camera.
        var result = await RunReadAsync(() => Capture(1, preview: null, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (level == HealthCheckLevel.External && result.Code is CompletionCode.NoMedia or CompletionCode.UserError)
        {
            return DeviceResult<Done>.Success(default);
        }

        return result.As<Done>();
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        try
        {
            await _pendingRead.WaitAsync(DisposeGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await base.DisposeCoreAsync().ConfigureAwait(false);
            return;
        }

        _source.Dispose();
        _analyzer.Dispose();
        await base.DisposeCoreAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Runs blocking VideoCapture work on the thread pool. VideoCapture.Read cannot be cancelled, so a
    /// read abandoned by a timeout keeps running; the next operation waits for it before touching the capture.
    /// </summary>
    private async Task<T> RunReadAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        await _pendingRead.WaitAsync(cancellationToken).ConfigureAwait(false);
        var task = Task.Run(work, cancellationToken);
        // Only completion matters to the next operation, not how this one ended.
        _pendingRead = task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private DeviceResult<FaceCapture> Capture(int burst, FacePreviewFeed? preview, CancellationToken cancellationToken)
    {
        var reopened = _options.IsRecordedSource ? _source.Rewind()
            : _source.IsOpen ? null : _source.TryOpen();

        if (reopened is not null)
        {
            return NotReady(reopened);
        }

        var frames = new List<Mat>(burst);
        try
        {
            for (var i = 0; i < burst; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var frame = new Mat();
                if (!_source.TryRead(frame))
                {
                    frame.Dispose();
                    // A recording shorter than the burst ends the burst; a live source that stops
                    // delivering mid-read has been unplugged (or its stream dropped).
                    if (_options.IsRecordedSource && frames.Count > 0)
                    {
                        break;
                    }

                    _source.Close();
                    return NotReady($"no frame from {_options.Source} after {i} of {burst} (unplugged or stream ended)");
                }

                frames.Add(frame);
            }

            var result = FaceBurst.Evaluate(frames, _analyzer, _options, preview, cancellationToken);
            SetStatus(DeviceStatus.Online, "frames received");
            cancellationToken.ThrowIfCancellationRequested();
            return result;
        }
        finally
        {
            frames.ForEach(f => f.Dispose());
        }
    }

    private DeviceResult<FaceCapture> CaptureChallenge(FaceChallenge challenge, FacePreviewFeed? preview, CancellationToken cancellationToken)
    {
        var reopened = _options.IsRecordedSource ? _source.Rewind()
            : _source.IsOpen ? null : _source.TryOpen();
        if (reopened is not null)
        {
            return NotReady(reopened);
        }

        var result = FaceChallengeCapture.Run(challenge, Read, _analyzer, _options, preview, cancellationToken);
        if (result.Code != CompletionCode.DeviceNotReady)
        {
            SetStatus(DeviceStatus.Online, "frames received");
        }

        return result;

        // As a burst: a recording that ends ends the challenge's window; a live source that stops has been unplugged.
        bool Read(Mat frame, int index, out DeviceResult<FaceCapture>? failure)
        {
            failure = null;
            if (_source.TryRead(frame))
            {
                return true;
            }

            if (_options.IsRecordedSource && index > 0)
            {
                return false;
            }

            _source.Close();
            failure = NotReady($"no frame from {_options.Source} after {index} of up to {_options.ChallengeFrames} (unplugged or stream ended)");
            return false;
        }
    }

    private DeviceResult<FaceCapture> NotReady(string why)
    {
        SetStatus(DeviceStatus.NoDevice, why);
        return DeviceResult<FaceCapture>.Failure(CompletionCode.DeviceNotReady, why, "no frame");
    }
}
