namespace Kiosk.Devices.Simulated;

/// <summary>
/// A duplex sheet-fed scanner whose feeder holds <see cref="SheetsInFeeder"/> sheets, each with
/// page.png on the front and text.png on the back. The feeder refills itself: every scan sees the same
/// sheets. Faults: the common ones, NoPage (empty feeder) and PaperJam.
/// </summary>
public sealed class SimulatedDocumentScanner : DeviceBase, IDocumentScanner
{
    private const string FrontFile = "page.png";
    private const string BackFile = "text.png";

    private readonly SimulationOptions _options;
    private readonly FaultPlayer _player;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private volatile bool _open;
    private int _sheetsInFeeder = 1;

    public SimulatedDocumentScanner(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.DocumentScanner, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.DocumentScanner, options.Seed, "duplex", "feeder", "png", "maxDpi=600");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>Sheets in the feeder (default 1); 0 is an empty feeder.</summary>
    public int SheetsInFeeder
    {
        get => Volatile.Read(ref _sheetsInFeeder);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Volatile.Write(ref _sheetsInFeeder, value);
        }
    }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(TestDataFiles.TryLoad(_options, [FrontFile, BackFile], _files));
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<ScanBatch>> ScanAsync(DeviceClaim claim, ScanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => ScanCoreAsync(request, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<ScanBatch>> ScanCoreAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<ScanBatch>();
        }

        var fault = Faults.Take();
        var failure = await _player.PlayAsync<ScanBatch>(fault, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var sheets = Math.Min(SheetsInFeeder, request.MaxSheets);
        if (fault == SimulatedFault.NoPage || sheets <= 0)
        {
            return DeviceResult<ScanBatch>.Failure(CompletionCode.NoMedia, "the feeder is empty");
        }

        if (fault == SimulatedFault.PaperJam)
        {
            SetStatus(DeviceStatus.HardwareError, "paper jam");
            return DeviceResult<ScanBatch>.Failure(CompletionCode.HardwareError, "sheet 1 jammed in the feeder; open the cover and remove it", "paper jam");
        }

        var pages = new List<ScannedPage>(sheets * 2);
        for (var sheet = 1; sheet <= sheets; sheet++)
        {
            // Each further sheet takes another operation delay to feed through.
            pages.Add(new ScannedPage(sheet, PageSide.Front, Image(FrontFile, request.Dpi)));
            if (request.Duplex)
            {
                pages.Add(new ScannedPage(sheet, PageSide.Back, Image(BackFile, request.Dpi)));
            }

            if (sheet < sheets)
            {
                await _player.WaitAsync(_player.OperationDelay, cancellationToken).ConfigureAwait(false);
            }
        }

        return DeviceResult<ScanBatch>.Success(new ScanBatch(pages));
    }

    private CapturedImage Image(string file, int dpi)
    {
        var bytes = _files[file];
        GrayscalePng.TryReadSize(bytes, out var width, out var height);
        return new CapturedImage(bytes, "image/png", width, height) { Dpi = dpi };
    }
}
