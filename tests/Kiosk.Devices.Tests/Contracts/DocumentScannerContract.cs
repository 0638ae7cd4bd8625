using Kiosk.Devices.Tests.Formats;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The duplex scanner contract: front then back of every sheet, in feeder order; a jam; an empty feeder.</summary>
public abstract class DocumentScannerContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IDocumentScanner
{
    protected static readonly ScanRequest Request = new();

    protected override TimeSpan OperationTimeout => Request.Timeout;

    /// <summary>Puts <paramref name="sheets"/> sheets in the feeder.</summary>
    protected abstract bool ArrangeSheets(int sheets);

    protected abstract bool ArrangePaperJam();

    protected abstract bool ArrangeEmptyFeeder();

    protected override async Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        (await device.ScanAsync(claim, Request, cancellationToken)).As<Done>();

    [Test]
    public async Task A_duplex_scan_returns_front_then_back_of_every_sheet()
    {
        if (!ArrangeSheets(3))
        {
            Assert.Ignore("cannot load the feeder on demand");
        }

        var batch = await SuccessOfAsync(c => Device.ScanAsync(c, Request, CancellationToken.None));
        var order = batch.Pages.Select(p => (p.Sheet, p.Side)).ToArray();
        Assert.That(order, Is.EqualTo(new[] { (1, PageSide.Front), (1, PageSide.Back), (2, PageSide.Front), (2, PageSide.Back), (3, PageSide.Front), (3, PageSide.Back) }));
        foreach (var page in batch.Pages.Where(p => p.Image.ContentType == "image/png"))
        {
            var png = PngFile.Decode(page.Image.Data.Span);
            Assert.That((png.Width, png.Height), Is.EqualTo((page.Image.Width, page.Image.Height)));
            Assert.That(page.Image.Dpi, Is.EqualTo(Request.Dpi));
        }
    }

    [Test]
    public async Task A_simplex_scan_returns_fronts_only_and_stops_at_max_sheets()
    {
        if (!ArrangeSheets(3))
        {
            Assert.Ignore("cannot load the feeder on demand");
        }

        var request = Request with { Duplex = false, MaxSheets = 2 };
        var batch = await SuccessOfAsync(c => Device.ScanAsync(c, request, CancellationToken.None));
        Assert.That(batch.Pages.Select(p => (p.Sheet, p.Side)), Is.EqualTo(new[] { (1, PageSide.Front), (2, PageSide.Front) }));
    }

    /// <summary>
    /// False for a scanner that makes no thumbnails (the simulator, whose pages are already thumbnail-sized): asked for
    /// them, it leaves <see cref="ScannedPage.Thumbnail"/> null, and the screen shows small pages as they are.
    /// </summary>
    protected virtual bool MakesThumbnails => true;

    [Test]
    public async Task Thumbnails_asked_for_are_small_jpegs_and_leave_the_pages_as_they_were()
    {
        if (!ArrangeSheets(1))
        {
            Assert.Ignore("cannot load the feeder on demand");
        }

        var plain = await SuccessOfAsync(c => Device.ScanAsync(c, Request, CancellationToken.None));
        ArrangeSheets(1);
        var request = Request with { ThumbnailHeight = 120 };
        var previewed = await SuccessOfAsync(c => Device.ScanAsync(c, request, CancellationToken.None));

        Assert.That(plain.Pages.Select(p => p.Thumbnail), Has.All.Null, "none unless asked for");
        Assert.That(previewed.Pages.Select(p => p.Image.Data.ToArray()), Is.EqualTo(plain.Pages.Select(p => p.Image.Data.ToArray())), "the evidence is the same bytes");
        if (!MakesThumbnails)
        {
            Assert.That(previewed.Pages.Select(p => p.Thumbnail), Has.All.Null);
            return;
        }

        foreach (var page in previewed.Pages)
        {
            var thumbnail = page.Thumbnail!;
            Assert.That(thumbnail.ContentType, Is.EqualTo("image/jpeg"));
            Assert.That(thumbnail.Data.Span[..2].ToArray(), Is.EqualTo(new byte[] { 0xFF, 0xD8 }), "a JPEG's start of image");
            Assert.That(thumbnail.Height, Is.EqualTo(Math.Min(120, page.Image.Height)));
            Assert.That(thumbnail.Width / (double)thumbnail.Height, Is.EqualTo(page.Image.Width / (double)page.Image.Height).Within(0.05), "the page's shape");
            Assert.That(thumbnail.Data.Length, Is.LessThan(Math.Min(page.Image.Data.Length, 32 * 1024)), "smaller than the page, a few kilobytes");
        }
    }

    [Test]
    public async Task A_paper_jam_is_a_hardware_error_naming_the_jam()
    {
        if (!ArrangePaperJam())
        {
            Assert.Ignore("cannot jam the feeder on demand");
        }

        var result = await OperateOnceAsync();
        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError));
        Assert.That(result.DeviceError, Does.Contain("jam"));
    }

    [Test]
    public async Task An_empty_feeder_is_no_media()
    {
        if (!ArrangeEmptyFeeder())
        {
            Assert.Ignore("cannot empty the feeder on demand");
        }

        Assert.That((await OperateOnceAsync()).Code, Is.EqualTo(CompletionCode.NoMedia));
    }
}
