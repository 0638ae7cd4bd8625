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

        if (capture.MinutiaeRecord.IsEmpty)
        {
            return; // a device that does not extract minutiae delivers the image only
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
}
