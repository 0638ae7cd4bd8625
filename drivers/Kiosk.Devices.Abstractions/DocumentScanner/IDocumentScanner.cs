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

    /// <summary>
    /// When above 0, each page also comes with a small JPEG <see cref="ScannedPage.Thumbnail"/> at most this many pixels
    /// tall, for the screen to show what was taken; a driver that cannot make one leaves it null. 0 (default): none.
    /// </summary>
    public int ThumbnailHeight { get; init; }
}

public enum PageSide
{
    Front,
    Back,
}

public sealed record ScannedPage(int Sheet, PageSide Side, CapturedImage Image)
{
    /// <summary>A small preview of <see cref="Image"/> when the request asked for one (<see cref="ScanRequest.ThumbnailHeight"/>); never the evidence.</summary>
    public CapturedImage? Thumbnail { get; init; }
}

public sealed record ScanBatch(IReadOnlyList<ScannedPage> Pages);
