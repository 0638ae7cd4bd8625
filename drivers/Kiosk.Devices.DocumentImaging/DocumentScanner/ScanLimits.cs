namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// How much a scanner may hand the kiosk in one document: the bytes of the file and the pixels its header announces.
/// Both are checked before the file reaches a decoder, so a scanner (or whatever answers in its place) cannot make the
/// agent allocate gigabytes with a small file that claims 100000 x 100000 pixels.
/// </summary>
/// <param name="MaxBytes">Largest file accepted.</param>
/// <param name="MaxPixels">Largest width x height accepted, as the PNG IHDR or JPEG SOF header announces it.</param>
internal sealed record ScanLimits(long MaxBytes, long MaxPixels)
{
    /// <summary>64 MiB and 64 million pixels: an A4 page at 600 dpi in colour (4960 x 7016, about 35 million pixels) fits with room to spare.</summary>
    public static ScanLimits Default { get; } = new(64L * 1024 * 1024, 64_000_000);
}
