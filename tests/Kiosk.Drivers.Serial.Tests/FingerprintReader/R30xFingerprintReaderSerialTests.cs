using Kiosk.Devices;
using Kiosk.Devices.FingerprintReader;
using Kiosk.Devices.Tests.Formats;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

/// <summary>R30x protocol outcomes on a real pty line with real time and short timeouts.</summary>
[TestFixture]
[NonParallelizable]
public sealed class R30xFingerprintReaderSerialTests
{
    private static readonly FingerprintRequest Request = new() { Timeout = TimeSpan.FromSeconds(20), Finger = FingerPosition.RightThumb };
    private SocatPair _pair = null!;
    private R30xStandIn _module = null!;
    private R30xFingerprintReader _reader = null!;
    private DeviceClaim _claim = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _pair = SocatPair.Start();
        _module = new R30xStandIn(_pair.DevicePath);
        var options = new R30xFingerprintReaderOptions { PortName = _pair.KioskPath, ResponseTimeout = TimeSpan.FromSeconds(1) };
        _reader = new R30xFingerprintReader("fingerprintReader", options, TimeProvider.System);
        Assert.That((await _reader.OpenAsync(CancellationToken.None)).IsSuccess, Is.True);
        _claim = (await _reader.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
    }

    [TearDown]
    public async Task StopAsync()
    {
        _claim.Dispose();
        await _reader.DisposeAsync();
        _module.Dispose();
        _pair.Dispose();
    }

    private Task<DeviceResult<FingerprintCapture>> CaptureAsync() =>
        _reader.CaptureFingerprintAsync(_claim, Request, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    [Test]
    public async Task A_capture_is_the_uploaded_image_as_png_with_a_quality()
    {
        var result = await CaptureAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        var capture = result.Value!;
        var png = PngProbe.Read(capture.Image.Data.Span);
        Assert.That((png.Width, png.Height), Is.EqualTo((256, 288)));
        Assert.That(capture.Image.Dpi, Is.EqualTo(500));
        Assert.That(capture.Finger, Is.EqualTo(FingerPosition.RightThumb));
        Assert.That(capture.Quality, Is.InRange(40, 100), "a synthetic finger with strong ridges over most of the area");
        Assert.That(capture.MinutiaeRecord.IsEmpty, Is.True);
        Assert.That(_module.Requests, Is.EqualTo(new[] { "01", "02", "0A" }));
    }

    [Test]
    public async Task A_capture_carries_the_image_as_an_iso_19794_4_record()
    {
        var result = await CaptureAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        var capture = result.Value!;
        var bytes = capture.ImageRecord.ToArray();
        var record = FingerImageRecordFile.Parse(bytes);
        Assert.Multiple(() =>
        {
            Assert.That(record.RecordLength, Is.EqualTo(bytes.Length));
            Assert.That(record.CaptureDeviceId, Is.Zero, "capture device not reported");
            Assert.That(record.AcquisitionLevel, Is.EqualTo(30), "500 ppi, the level that claims least grey range");
            Assert.That(record.ScaleUnits, Is.EqualTo(1), "pixels per inch");
            Assert.That((record.ScanResolutionX, record.ScanResolutionY), Is.EqualTo((500, 500)));
            Assert.That((record.ImageResolutionX, record.ImageResolutionY), Is.EqualTo((500, 500)));
            Assert.That(record.PixelDepth, Is.EqualTo(8));
            Assert.That(record.Compression, Is.EqualTo(5), "PNG");
            Assert.That(record.Fingers, Has.Count.EqualTo(1));
        });
        var view = record.Fingers[0];
        Assert.Multiple(() =>
        {
            Assert.That(view.Position, Is.EqualTo(1), "right thumb");
            Assert.That((view.ViewCount, view.ViewNumber), Is.EqualTo((1, 1)));
            Assert.That(view.Quality, Is.EqualTo(254), "not defined");
            Assert.That(view.ImpressionType, Is.Zero, "live-scan plain");
            Assert.That((view.Width, view.Height), Is.EqualTo((256, 288)));
            Assert.That(bytes.Length, Is.EqualTo(32 + 14 + view.Image.Length));
        });

        // The image inside is what the sensor sent: each 4-bit pixel v as v * 17, high nibble first.
        var sent = R30xStandIn.SyntheticImage();
        var expected = new byte[256 * 288];
        for (var i = 0; i < sent.Length; i++)
        {
            (expected[2 * i], expected[(2 * i) + 1]) = ((byte)((sent[i] >> 4) * 17), (byte)((sent[i] & 0x0F) * 17));
        }

        var png = PngProbe.Read(view.Image);
        Assert.That((png.Width, png.Height), Is.EqualTo((256, 288)));
        Assert.That(png.Pixels, Is.EqualTo(expected));
    }

    [TestCase(R30xFault.ShortUpload, 12800)]
    [TestCase(R30xFault.SmallerSensor, 18432)]
    [TestCase(R30xFault.LargerSensor, 46080)]
    public async Task An_image_of_the_wrong_size_is_invalid_data_and_the_next_press_works(R30xFault fault, int sent)
    {
        _module.Fault = fault;
        var bad = await CaptureAsync();
        Assert.That(bad.Code, Is.EqualTo(CompletionCode.InvalidData), bad.ToString());
        Assert.That(bad.Description, Does.Contain($"sent {sent} bytes of image, not the 36864 of a 256x288 sensor"));
        Assert.That(_reader.Status, Is.EqualTo(DeviceStatus.Online), "the module is fine; the image was not");

        _module.Fault = R30xFault.None;
        var next = await CaptureAsync();
        Assert.That(next.Code, Is.EqualTo(CompletionCode.Success), next.ToString());
        Assert.That(FingerImageRecordFile.Parse(next.Value!.ImageRecord.Span).Fingers[0].Width, Is.EqualTo(256));
        Assert.That(_module.Requests, Is.EqualTo(new[] { "01", "02", "0A", "01", "02", "0A" }), "the line stayed in step");
    }

    [Test]
    public async Task No_finger_is_no_media()
    {
        _module.Fault = R30xFault.NoFinger;
        Assert.That((await CaptureAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
    }

    [Test]
    public async Task A_messy_image_is_a_user_error()
    {
        _module.Fault = R30xFault.Messy;
        var result = await CaptureAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.UserError), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("confirmation 0x06"));
    }

    [Test]
    public async Task A_bad_checksum_is_invalid_data()
    {
        _module.Fault = R30xFault.BadChecksum;
        Assert.That((await CaptureAsync()).Code, Is.EqualTo(CompletionCode.InvalidData));
    }

    [Test]
    public async Task Silence_is_a_timeout()
    {
        _module.Fault = R30xFault.Silent;
        Assert.That((await CaptureAsync()).Code, Is.EqualTo(CompletionCode.Timeout));
    }

    [Test]
    public async Task Pulling_the_cable_mid_upload_is_not_ready_and_no_device()
    {
        _module.Fault = R30xFault.SilentOnUpload;
        var capturing = CaptureAsync();
        await _module.WhenReceived("0A").WaitAsync(TimeSpan.FromSeconds(10));
        _pair.Unplug();
        var result = await capturing;
        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(_reader.Status, Is.EqualTo(DeviceStatus.NoDevice));
    }
}
