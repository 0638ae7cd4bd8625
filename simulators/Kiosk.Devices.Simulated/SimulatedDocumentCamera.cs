namespace Kiosk.Devices.Simulated;

/// <summary>
/// A document camera (高拍仪) with a page under it: captures return page.png and text.png from the test data in turn (the
/// documents a person lays down one after another), with blur and glare drawn from the seed. Both pages are small
/// enough to be their own thumbnail. Faults: the common ones, NoPage (nothing under the camera), PageCutOff (the page
/// runs out of view) and BlurredPage (blur 0.8).
/// </summary>
public sealed class SimulatedDocumentCamera : DeviceBase, IDocumentCamera
{
    private const string PageFile = "page.png";
    private const string TextFile = "text.png";
    private int _captures;

    private readonly SimulationOptions _options;
    private readonly FaultPlayer _player;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private volatile bool _open;

    public SimulatedDocumentCamera(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.DocumentCamera, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.DocumentCamera, options.Seed, "png", "maxDpi=300", "pageDetection");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(TestDataFiles.TryLoad(_options, [PageFile, TextFile], _files));
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<DocumentPage>> CaptureDocumentAsync(DeviceClaim claim, DocumentCaptureRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => CaptureAsync(request, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<DocumentPage>> CaptureAsync(DocumentCaptureRequest request, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<DocumentPage>();
        }

        var fault = Faults.Take();
        var failure = await _player.PlayAsync<DocumentPage>(fault, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (fault == SimulatedFault.NoPage)
        {
            return DeviceResult<DocumentPage>.Failure(CompletionCode.NoMedia, "no page under the camera", DocumentCameraErrors.NoPage);
        }

        if (fault == SimulatedFault.PageCutOff)
        {
            return DeviceResult<DocumentPage>.Failure(CompletionCode.NoMedia, "the page runs over the edge of the camera's view", DocumentCameraErrors.CutOff);
        }

        var bytes = _files[Interlocked.Increment(ref _captures) % 2 == 1 ? PageFile : TextFile];
        GrayscalePng.TryReadSize(bytes, out var width, out var height);
        var image = new CapturedImage(bytes, "image/png", width, height) { Dpi = request.Dpi };
        var random = new SeededRandom(_options.Seed, "document-camera");
        var blur = fault == SimulatedFault.BlurredPage ? 0.8 : Math.Round(random.Between(0.05, 0.2), 3);
        return DeviceResult<DocumentPage>.Success(new DocumentPage(image, PageFound: true, Blur: blur, Glare: Math.Round(random.Between(0, 0.1), 3)));
    }
}
