namespace Kiosk.Devices.Simulated;

/// <summary>
/// A face camera looking at a photograph from the test data: <see cref="PresentFace"/> puts a photograph
/// (by file name stem, e.g. "astronaut") in front of it, or takes it away. Captures return that file's
/// bytes as they are, with quality scores drawn from the seed (no face detection happens).
/// A request with a <see cref="FaceCaptureRequest.Preview"/> listener is shown, within the capture's usual
/// operation delay, the same few frames every time (<see cref="SimulatedFacePreview"/>): nobody, the person too far
/// away, then the person close enough with the face boxed, which stays until the capture returns.
/// A request with a <see cref="FaceCaptureRequest.Challenge"/> is answered as the presented face would: a live person
/// does it (seeded measures like the OpenCV camera's), a still photograph (<see cref="FacePresentation.StillPhoto"/>)
/// watches the whole window without doing it and fails, as it fails the passive check without a challenge.
/// </summary>
public sealed class SimulatedFaceCamera : DeviceBase, IFaceCamera
{
    /// <summary>The photographs a kiosk's simulated camera needs: the person (astronaut) and the wrong person (camera).</summary>
    private static readonly string[] RequiredFiles = ["astronaut.png", "camera.png"];

    private readonly SimulationOptions _options;
    private readonly FaultPlayer _player;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimulatedFacePreview?> _previews = new(StringComparer.Ordinal);
    /// <summary>The OpenCV camera's default challenge window, so a failed simulated challenge reads like a real one.</summary>
    private const int ChallengeFrames = 90;

    private volatile string? _presented = "astronaut";
    private volatile FacePresentation _presentation;
    private volatile bool _open;

    public SimulatedFaceCamera(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.FaceCamera, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.FaceCamera, options.Seed, "png", "qualityScores", "liveness=simulated", "challenge=blink", "challenge=turn");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>
    /// Puts the photograph <c>{DataFolder}/{sourceId}.png</c> in front of the camera, as the live person or as
    /// <paramref name="presentation"/>; null leaves the camera looking at nobody.
    /// </summary>
    public void PresentFace(string? sourceId, FacePresentation presentation = FacePresentation.Live)
    {
        _presentation = presentation;
        _presented = sourceId;
    }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(TestDataFiles.TryLoad(_options, RequiredFiles, _files));
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<FaceCapture>> CaptureFaceAsync(DeviceClaim claim, FaceCaptureRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => CaptureAsync(request.Preview, request.Challenge, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<FaceCapture>> CaptureAsync(IProgress<FacePreview>? preview, FaceChallenge challenge, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<FaceCapture>();
        }

        var fault = Faults.Take();
        var sourceId = _presented;
        var presentation = _presentation;
        var file = sourceId + ".png";
        var bytes = sourceId is null ? null : Photo(file);

        // A camera that answers shows what it sees while it works; an unplugged, failing or garbled one shows nothing.
        var shown = preview is null || fault is SimulatedFault.Unplugged or SimulatedFault.HardwareError or SimulatedFault.GarbageData
            ? TimeSpan.Zero
            : await ShowAsync(preview, PreviewsOf(fault, sourceId, bytes), cancellationToken).ConfigureAwait(false);
        var failure = await _player.PlayAsync<FaceCapture>(fault, cancellationToken, shown).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (fault == SimulatedFault.NoFace || sourceId is null)
        {
            return DeviceResult<FaceCapture>.Failure(CompletionCode.NoMedia, "no face in front of the camera");
        }

        if (fault == SimulatedFault.TwoFaces)
        {
            return DeviceResult<FaceCapture>.Failure(CompletionCode.UserError, "two faces in the frame; only one person may stand at the kiosk", "two faces");
        }

        if (bytes is null)
        {
            return DeviceResult<FaceCapture>.Failure(CompletionCode.NoMedia, TestDataFiles.MissingFileHint(file, _options));
        }

        if (!GrayscalePng.TryReadSize(bytes, out var width, out var height))
        {
            return DeviceResult<FaceCapture>.Failure(CompletionCode.InvalidData, $"{file} is not a PNG image");
        }

        var image = new CapturedImage(bytes, "image/png", width, height);
        return DeviceResult<FaceCapture>.Success(new FaceCapture(image, QualityOf(sourceId, width, presentation, challenge)));
    }

    /// <summary>The presented photograph's bytes (read at open, or now for one presented later), or null when it does not exist.</summary>
    private byte[]? Photo(string file)
    {
        if (_files.TryGetValue(file, out var bytes))
        {
            return bytes;
        }

        var path = Path.Combine(_options.DataFolder, file);
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    /// <summary>What the camera sees during this capture, frame by frame (see the class comment).</summary>
    private IReadOnlyList<FacePreview> PreviewsOf(SimulatedFault fault, string? sourceId, byte[]? photo)
    {
        if (sourceId is null || photo is null)
        {
            return [SimulatedFacePreview.NobodyPresented];
        }

        if (!_previews.TryGetValue(sourceId, out var frames))
        {
            frames = SimulatedFacePreview.From(sourceId, photo);
            _previews[sourceId] = frames;
        }

        return frames is null ? [SimulatedFacePreview.NobodyPresented]
            : fault == SimulatedFault.NoFace ? [frames.Nobody]
            : fault == SimulatedFault.TwoFaces ? [frames.Nobody, frames.Crowded]
            : [frames.Nobody, frames.Far, frames.Near];
    }

    /// <summary>
    /// Shows the frames a third of the operation delay apart, starting at once, and returns the time spent: the capture
    /// still takes one operation delay in all, and the last frame stays on screen until it returns.
    /// </summary>
    private async Task<TimeSpan> ShowAsync(IProgress<FacePreview> preview, IReadOnlyList<FacePreview> frames, CancellationToken cancellationToken)
    {
        var step = _player.OperationDelay / 3;
        var spent = TimeSpan.Zero;
        for (var i = 0; i < frames.Count; i++)
        {
            if (i > 0)
            {
                await _player.WaitAsync(step, cancellationToken).ConfigureAwait(false);
                spent += step;
            }

            try
            {
                preview.Report(frames[i]);
            }
#pragma warning disable CA1031 // As the real camera: a listener that throws loses its preview, never the capture.
            catch (Exception)
#pragma warning restore CA1031
            {
                break;
            }
        }

        return spent;
    }

    private FaceQuality QualityOf(string sourceId, int imageWidth, FacePresentation presentation, FaceChallenge challenge)
    {
        var random = new SeededRandom(_options.Seed, "face-quality/" + sourceId);
        var faceWidth = (int)(imageWidth * random.Between(0.35, 0.5));
        var outcome = challenge == FaceChallenge.None ? null : ChallengeOutcome(challenge, presentation == FacePresentation.Live, new SeededRandom(_options.Seed, $"face-challenge/{sourceId}/{challenge}"));
        return new FaceQuality
        {
            FaceCount = 1,
            FaceWidth = faceWidth,
            // Inter-eye distance is about 0.4 of the face width (ISO/IEC 19794-5 token image geometry).
            EyeDistance = (int)(faceWidth * random.Between(0.38, 0.44)),
            Sharpness = Math.Round(random.Between(0.6, 0.95), 3),
            Brightness = Math.Round(random.Between(0.4, 0.7), 3),
            YawDegrees = Math.Round(random.Between(-8, 8), 1),
            Score = random.Next(60, 96),
            LivenessPassed = outcome?.Done ?? presentation == FacePresentation.Live,
            Challenge = outcome,
        };
    }

    /// <summary>What the OpenCV camera would report: a live person does it within a second or so; a still photo never does.</summary>
    private static FaceChallengeOutcome ChallengeOutcome(FaceChallenge challenge, bool live, SeededRandom random)
    {
        var frames = live ? random.Next(12, 40) : ChallengeFrames;
        if (challenge == FaceChallenge.Blink)
        {
            return new FaceChallengeOutcome
            {
                Asked = challenge,
                Done = live,
                Reason = live ? null : $"no blink seen in {frames} frames",
                Frames = frames,
                LowestEyeOpenness = live ? Math.Round(random.Between(0.05, 0.4), 3) : null,
                Blinks = live ? 1 : 0,
            };
        }

        var side = challenge == FaceChallenge.TurnLeft ? "left" : "right";
        return new FaceChallengeOutcome
        {
            Asked = challenge,
            Done = live,
            Reason = live ? null : $"no turn to the {side} of 15 degrees seen in {frames} frames",
            Frames = frames,
            FrontalYawDegrees = Math.Round(random.Between(-4, 4), 1),
            TurnYawDegrees = Math.Round(live ? random.Between(16, 25) : random.Between(-1, 1), 1),
        };
    }
}
