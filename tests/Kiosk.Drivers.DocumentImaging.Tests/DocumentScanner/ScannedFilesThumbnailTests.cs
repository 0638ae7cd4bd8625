using Kiosk.Devices.DocumentImaging;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

/// <summary>The thumbnails <see cref="ScannedFiles"/> makes for the screen from whatever a scanner delivered.</summary>
public sealed class ScannedFilesThumbnailTests
{
    [Test]
    public void A_16_bit_colour_page_with_alpha_becomes_an_8_bit_jpeg_at_the_asked_height()
    {
        // A 48-bit colour scan with alpha (a SANE --depth 16 PNG): JPEG holds neither 16 bits nor alpha.
        using var page = new Mat(600, 400, MatType.CV_16UC4, new Scalar(0, 32768, 65535, 65535));
        var png = page.ImEncode(".png");

        var (image, thumbnail, problem) = ScannedFiles.Decode(png, 300, ScanLimits.Default, thumbnailHeight: 240);

        Assert.That(problem, Is.Null);
        Assert.That((image!.Width, image.Height, image.Data.Length), Is.EqualTo((400, 600, png.Length)), "the page itself is untouched");
        Assert.That((thumbnail!.ContentType, thumbnail.Width, thumbnail.Height), Is.EqualTo(("image/jpeg", 160, 240)));
        using var decoded = Cv2.ImDecode(thumbnail.Data.ToArray(), ImreadModes.Unchanged);
        Assert.That((decoded.Width, decoded.Height, decoded.Channels(), decoded.Depth()), Is.EqualTo((160, 240, 3, MatType.CV_8U)));
        var centre = decoded.At<Vec3b>(120, 80);
        Assert.That((centre.Item0, centre.Item1, centre.Item2), Is.EqualTo(((byte)0, (byte)128, (byte)255)).Using<(byte, byte, byte)>((a, b) =>
            Math.Abs(a.Item1 - b.Item1) <= 3 && Math.Abs(a.Item2 - b.Item2) <= 3 && Math.Abs(a.Item3 - b.Item3) <= 3), "the colour, scaled to 8 bits");
    }

    [Test]
    public void A_page_smaller_than_the_asked_height_keeps_its_size_and_no_thumbnail_is_made_unless_asked()
    {
        using var page = new Mat(100, 80, MatType.CV_8UC1, new Scalar(200));
        var png = page.ImEncode(".png");

        var (_, thumbnail, _) = ScannedFiles.Decode(png, 200, ScanLimits.Default, thumbnailHeight: 240);
        var (_, none, _) = ScannedFiles.Decode(png, 200, ScanLimits.Default, thumbnailHeight: 0);

        Assert.That((thumbnail!.Width, thumbnail.Height), Is.EqualTo((80, 100)), "never enlarged");
        Assert.That(none, Is.Null);
    }
}
