using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>What any fingerprint capture must satisfy, from a reader or a signature pad.</summary>
internal static class FingerprintChecks
{
    public static void AssertValid(FingerprintCapture capture, FingerPosition finger)
    {
        Assert.That(capture.Finger, Is.EqualTo(finger));
        Assert.That(capture.Quality, Is.InRange(0, 100));
        if (capture.Image.ContentType == "image/png")
        {
            var png = PngFile.Decode(capture.Image.Data.Span);
            Assert.That((png.Width, png.Height), Is.EqualTo((capture.Image.Width, capture.Image.Height)));
        }

        AssertImageRecord(capture, finger);
        if (capture.MinutiaeRecord.IsEmpty)
        {
            return; // a device that does not extract minutiae delivers the image and its record only
        }

        var record = FingerMinutiaeRecord.Parse(capture.MinutiaeRecord.Span);
        Assert.That((record.Width, record.Height), Is.EqualTo((capture.Image.Width, capture.Image.Height)));
        if (capture.Image.Dpi is { } dpi)
        {
            Assert.That(record.XResolution, Is.EqualTo((int)Math.Round(dpi / 2.54)), "pixels per centimetre");
            Assert.That(record.YResolution, Is.EqualTo(record.XResolution));
        }

        Assert.That(record.Views, Has.Count.EqualTo(1));
        var view = record.Views[0];
        Assert.That(view.Finger, Is.EqualTo((int)finger));
        Assert.That(view.Quality, Is.EqualTo(capture.Quality));
        Assert.That(view.Minutiae, Has.Count.InRange(1, 255));
        Assert.That(view.Minutiae, Has.All.Matches<FingerMinutiaeRecord.Point>(m => m.X < record.Width && m.Y < record.Height && m.Type is 0 or 1 or 2 && m.Quality <= 100));
    }

    /// <summary>The image as an ISO/IEC 19794-4:2005 record, read back by the test-side reader: one live-scan plain view of the captured image.</summary>
    public static void AssertImageRecord(FingerprintCapture capture, FingerPosition finger)
    {
        Assert.That(capture.ImageRecord.IsEmpty, Is.False, "every fingerprint capture carries its image as an ISO/IEC 19794-4 record");
        var record = FingerImageRecordFile.Parse(capture.ImageRecord.Span);
        Assert.That(record.AcquisitionLevel, Is.AnyOf(10, 20, 30, 31, 35, 40, 41), "image acquisition setting level of table 1");
        Assert.That(record.ScaleUnits, Is.EqualTo(1), "pixels per inch");
        if (capture.Image.Dpi is { } dpi)
        {
            Assert.That((record.ScanResolutionX, record.ScanResolutionY, record.ImageResolutionX, record.ImageResolutionY), Is.EqualTo((dpi, dpi, dpi, dpi)));
        }

        Assert.That(record.PixelDepth, Is.EqualTo(8));
        Assert.That(record.Fingers, Has.Count.EqualTo(1));
        var view = record.Fingers[0];
        Assert.That(view.Position, Is.EqualTo((int)finger));
        Assert.That((view.ViewCount, view.ViewNumber), Is.EqualTo((1, 1)));
        Assert.That(view.Quality, Is.EqualTo(254), "quality not defined: the only value ISO/IEC 29109-4 accepts for the 2005 edition");
        Assert.That(view.ImpressionType, Is.Zero, "live-scan plain");
        Assert.That((view.Width, view.Height), Is.EqualTo((capture.Image.Width, capture.Image.Height)));
        Assert.That(record.Compression, Is.AnyOf(0, 5), "uncompressed or PNG");
        if (record.Compression == 5)
        {
            var png = PngFile.Decode(view.Image);
            Assert.That((png.Width, png.Height, png.ColourType, png.BitDepth), Is.EqualTo((view.Width, view.Height, 0, 8)), "an 8-bit grey PNG of the stated size");
        }
        else
        {
            Assert.That(view.Image, Has.Length.EqualTo(view.Width * view.Height));
        }

        if (capture.Image.ContentType == "image/png" && record.Compression == 5)
        {
            Assert.That(view.Image, Is.EqualTo(capture.Image.Data.ToArray()), "the captured image itself, not a re-encoding");
        }
    }
}
