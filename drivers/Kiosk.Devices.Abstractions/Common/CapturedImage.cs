namespace Kiosk.Devices;

/// <summary>An encoded image as the device (or its driver) delivered it.</summary>
public sealed record CapturedImage(ReadOnlyMemory<byte> Data, string ContentType, int Width, int Height)
{
    /// <summary>Resolution in dots per inch when the device knows it (scanners, document cameras).</summary>
    public int? Dpi { get; init; }

    public override string ToString() => $"{ContentType} {Width}x{Height} {Data.Length} bytes";
}
