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
        var (image, _, problem) = Decode(data, dpi, limits, thumbnailHeight: 0);
        return (image, problem);
    }

    /// <summary>
    /// As <see cref="Decode(byte[], int, ScanLimits)"/>, and when <paramref name="thumbnailHeight"/> is above 0 also a
    /// thumbnail (<see cref="Thumbnail"/>) made from the image decoded for the check, so asking for one decodes nothing twice.
    /// </summary>
    public static (CapturedImage? Image, CapturedImage? Thumbnail, string? Problem) Decode(byte[] data, int dpi, ScanLimits limits, int thumbnailHeight)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(limits);
        if (data.LongLength > limits.MaxBytes)
        {
            return (null, null, string.Create(CultureInfo.InvariantCulture, $"the file is {data.LongLength} bytes, more than the {limits.MaxBytes} accepted"));
        }

        if (!ImageHeader.TryReadSize(data, out var contentType, out var width, out var height))
        {
            return (null, null, "not a PNG or JPEG file with a readable size in its header");
        }

        if ((long)width * height > limits.MaxPixels)
        {
            return (null, null, string.Create(CultureInfo.InvariantCulture, $"the image announces {width} x {height} pixels, more than the {limits.MaxPixels} accepted"));
        }

        if (contentType == "image/png" && !ImageHeader.PngChunksFit(data))
        {
            return (null, null, "a PNG chunk announces more bytes than the file holds, or the file has no IEND");
        }

        using var image = Cv2.ImDecode(data, ImreadModes.Unchanged);
        return image.Empty()
            ? (null, null, $"the {contentType} file cannot be decoded")
            : (new CapturedImage(data, contentType, image.Width, image.Height) { Dpi = dpi }, thumbnailHeight > 0 ? Thumbnail(image, thumbnailHeight) : null, null);
    }

    /// <summary>
    /// A preview of a decoded page for the screen: at most <paramref name="height"/> pixels tall (aspect kept, area
    /// averaging), 8-bit grey or colour, JPEG at quality 70 (a 240-pixel page is a few kilobytes). Never the evidence.
    /// </summary>
    public static CapturedImage Thumbnail(Mat image, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        using var eightBit = new Mat();
        // 16-bit scans (SANE --depth 16, 48-bit colour PNG) to 8 bits: JPEG holds 8.
        image.ConvertTo(eightBit, MatType.MakeType(MatType.CV_8U, image.Channels()), image.Depth() == MatType.CV_16U ? 1 / 257.0 : 1);
        using var opaque = new Mat();
        if (eightBit.Channels() == 4)
        {
            Cv2.CvtColor(eightBit, opaque, ColorConversionCodes.BGRA2BGR);
        }
        else
        {
            eightBit.CopyTo(opaque);
        }

        var scale = Math.Min(1, height / (double)opaque.Height);
        var size = new Size(Math.Max(1, (int)Math.Round(opaque.Width * scale)), Math.Max(1, (int)Math.Round(opaque.Height * scale)));
        using var small = new Mat();
        Cv2.Resize(opaque, small, size, 0, 0, InterpolationFlags.Area);
        var jpeg = small.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 70));
        return new CapturedImage(jpeg, "image/jpeg", small.Width, small.Height);
    }

    public static ScannedPage Page(int index, bool duplex, CapturedImage image, CapturedImage? thumbnail = null) =>
        (duplex
            ? new ScannedPage(index / 2 + 1, index % 2 == 0 ? PageSide.Front : PageSide.Back, image)
            : new ScannedPage(index + 1, PageSide.Front, image)) with { Thumbnail = thumbnail };
}
