using System.Globalization;
using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>Turns the images a scanner delivered, in feeder order, into sheets and sides (duplex: front, back, front, back).</summary>
internal static class ScannedFiles
{
    /// <summary>
    /// Decodes one scanned file after checking its length and the size its header announces against
    /// <paramref name="limits"/>. Returns the image, or null and why it was refused.
    /// </summary>
    public static (CapturedImage? Image, string? Problem) Decode(byte[] data, int dpi, ScanLimits limits)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(limits);
        if (data.LongLength > limits.MaxBytes)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"the file is {data.LongLength} bytes, more than the {limits.MaxBytes} accepted"));
        }

        if (!ImageHeader.TryReadSize(data, out var contentType, out var width, out var height))
        {
            return (null, "not a PNG or JPEG file with a readable size in its header");
        }

        if ((long)width * height > limits.MaxPixels)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"the image announces {width} x {height} pixels, more than the {limits.MaxPixels} accepted"));
        }

        if (contentType == "image/png" && !ImageHeader.PngChunksFit(data))
        {
            return (null, "a PNG chunk announces more bytes than the file holds, or the file has no IEND");
        }

        using var image = Cv2.ImDecode(data, ImreadModes.Unchanged);
        return image.Empty()
            ? (null, $"the {contentType} file cannot be decoded")
            : (new CapturedImage(data, contentType, image.Width, image.Height) { Dpi = dpi }, null);
    }

    public static ScannedPage Page(int index, bool duplex, CapturedImage image) =>
        duplex
            ? new ScannedPage(index / 2 + 1, index % 2 == 0 ? PageSide.Front : PageSide.Back, image)
            : new ScannedPage(index + 1, PageSide.Front, image);
}
