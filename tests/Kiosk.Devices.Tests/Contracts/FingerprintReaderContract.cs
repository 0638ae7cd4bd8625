using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The fingerprint reader contract: an image, its ISO/IEC 19794-4 record and (when extracted) an ISO/IEC 19794-2 record that agree; no finger.</summary>
public abstract class FingerprintReaderContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IFingerprintReader
{
    protected static readonly FingerprintRequest Request = new() { Finger = FingerPosition.LeftIndex };

    protected override TimeSpan OperationTimeout => Request.Timeout;

    protected abstract bool ArrangeNoFinger();

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.CaptureFingerprintAsync(claim, Request, cancellationToken)).As<Done>();

    [Test]
    public async Task A_capture_has_an_image_and_iso_records_that_parse_back()
    {
        var capture = await SuccessOfAsync(c => Device.CaptureFingerprintAsync(c, Request, CancellationToken.None));
        FingerprintChecks.AssertValid(capture, Request.Finger);
    }

    [Test]
    public async Task No_finger_is_no_media()
    {
        if (!ArrangeNoFinger())
        {
            Assert.Ignore("cannot lift the finger on demand");
        }

        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
    }
}
