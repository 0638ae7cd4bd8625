using Kiosk.Devices;
using Kiosk.Devices.FingerprintReader;
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
