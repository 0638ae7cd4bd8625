namespace Kiosk.Devices;

/// <summary>Duplex sheet-fed scanner: scans the whole feeder, front and back kept in order.</summary>
public interface IDocumentScanner : IDevice
{
    Task<DeviceResult<ScanBatch>> ScanAsync(DeviceClaim claim, ScanRequest request, CancellationToken cancellationToken);
}

public sealed record ScanRequest
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    public bool Duplex { get; init; } = true;
    public int Dpi { get; init; } = 200;
    public int MaxSheets { get; init; } = 20;
}

public enum PageSide
{
    Front,
    Back,
}

public sealed record ScannedPage(int Sheet, PageSide Side, CapturedImage Image);

public sealed record ScanBatch(IReadOnlyList<ScannedPage> Pages);
