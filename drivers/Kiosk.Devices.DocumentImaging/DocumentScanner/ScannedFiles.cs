using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>Turns the images a scanner delivered, in feeder order, into sheets and sides (duplex: front, back, front, back).</summary>
internal static class ScannedFiles
{
    /// <summary>PNG signature (ISO/IEC 15948 section 5.2) and JPEG SOI marker (ITU T.81 B.1.1.2).</summary>
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static CapturedImage? Decode(byte[] data, int dpi)
    {
        var isPng = data.AsSpan().StartsWith(Png);
        var isJpeg = data.Length > 2 && data[0] == 0xFF && data[1] == 0xD8;
        if (!isPng && !isJpeg)
        {
            return null;
        }

        using var image = Cv2.ImDecode(data, ImreadModes.Unchanged);
        return image.Empty() ? null : new CapturedImage(data, isPng ? "image/png" : "image/jpeg", image.Width, image.Height) { Dpi = dpi };
    }

    public static ScannedPage Page(int index, bool duplex, CapturedImage image) =>
        duplex
            ? new ScannedPage(index / 2 + 1, index % 2 == 0 ? PageSide.Front : PageSide.Back, image)
            : new ScannedPage(index + 1, PageSide.Front, image);
}
