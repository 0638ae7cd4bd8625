using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The document camera contract: a page with its resolution and quality; nothing under the camera.</summary>
public abstract class DocumentCameraContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IDocumentCamera
{
    protected static readonly DocumentCaptureRequest Request = new() { Dpi = 300 };

    protected override TimeSpan OperationTimeout => Request.Timeout;

    protected abstract bool ArrangeNoPage();

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.CaptureDocumentAsync(claim, Request, cancellationToken)).As<Done>();

    [Test]
    public async Task A_capture_is_a_found_page_with_its_resolution()
    {
        var page = await SuccessOfAsync(c => Device.CaptureDocumentAsync(c, Request, CancellationToken.None));
        Assert.That(page.PageFound, Is.True);
        Assert.That(page.Blur, Is.InRange(0.0, 1.0));
        Assert.That(page.Glare, Is.InRange(0.0, 1.0));
        Assert.That(page.Image.Dpi, Is.EqualTo(Request.Dpi));
        if (page.Image.ContentType == "image/png")
        {
            var png = PngFile.Decode(page.Image.Data.Span);
            Assert.That((png.Width, png.Height), Is.EqualTo((page.Image.Width, page.Image.Height)));
        }
    }

    [Test]
    public async Task Nothing_under_the_camera_is_no_media()
    {
        if (!ArrangeNoPage())
        {
            Assert.Ignore("cannot take the page away on demand");
        }

        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
    }
}
