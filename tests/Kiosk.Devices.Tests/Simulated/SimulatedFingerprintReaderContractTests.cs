using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedFingerprintReaderContractTests : FingerprintReaderContract<SimulatedFingerprintReader>
{
    protected override SimulatedFingerprintReader CreateDevice(TimeProvider timeProvider) => new("fingerprintReader", Simulation.Options(), timeProvider);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangeNoFinger() => Script(SimulatedFault.NoFinger);

    [Test]
    public async Task The_record_describes_a_256_by_288_image_at_500_dpi_with_10_to_30_minutiae()
    {
        var capture = await SuccessOfAsync(c => Device.CaptureFingerprintAsync(c, Request, CancellationToken.None));
        var record = FingerMinutiaeRecord.Parse(capture.MinutiaeRecord.Span);
        Assert.That((record.Width, record.Height), Is.EqualTo((256, 288)));
        Assert.That(record.XResolution, Is.EqualTo(197), "500 dpi in pixels per centimetre");
        Assert.That(record.Views[0].Minutiae, Has.Count.InRange(10, 30));
        Assert.That(record.Views[0].ImpressionType, Is.Zero, "live-scan plain");
        Assert.That(capture.Quality, Is.InRange(40, 90));
        Assert.That(capture.MinutiaeRecord.Length, Is.EqualTo(24 + 4 + (6 * record.Views[0].Minutiae.Count) + 2));
    }

    [Test]
    public async Task The_image_shows_ridges_inside_a_white_background()
    {
        var capture = await SuccessOfAsync(c => Device.CaptureFingerprintAsync(c, Request, CancellationToken.None));
        var pixels = PngFile.Decode(capture.Image.Data.Span).GreyPixels();
        Assert.That(pixels[0], Is.EqualTo(255), "corner outside the fingertip");
        var centreRow = pixels.Skip(144 * 256).Take(256).ToArray();
        Assert.That(centreRow.Count(p => p < 100), Is.GreaterThan(20), "dark ridges");
        Assert.That(centreRow.Count(p => p > 180), Is.GreaterThan(20), "light valleys");
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
