using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using Kiosk.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentScanner;

/// <summary><see cref="EsclScanner"/> against <see cref="FakeEsclScanner"/>: what goes over the wire and each scripted fault.</summary>
public sealed partial class EsclScannerTests
{
    private static readonly TimeSpan WallBudget = TimeSpan.FromSeconds(20);
    private FakeEsclScanner _server = null!;
    private FakeTimeProvider _time = null!;
    private readonly List<EsclScanner> _scanners = [];

    [SetUp]
    public void StartServer()
    {
        _server = new FakeEsclScanner();
        _time = new FakeTimeProvider();
    }

    [TearDown]
    public async Task StopServerAsync()
    {
        foreach (var scanner in _scanners)
        {
            await scanner.DisposeAsync();
        }

        _scanners.Clear();
        _server.Dispose();
    }

    [Test]
    public async Task A_duplex_scan_posts_document_feeder_settings_and_returns_front_and_back_in_feeder_order()
    {
        var (result, _) = await ScanAsync(new ScanRequest());

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        var pages = result.Value!.Pages;
        Assert.That(pages.Select(p => (p.Sheet, p.Side)), Is.EqualTo(new[] { (1, PageSide.Front), (1, PageSide.Back), (2, PageSide.Front), (2, PageSide.Back) }));
        var front = await File.ReadAllBytesAsync(RepositoryPaths.TestDataFile("page.png"));
        var back = await File.ReadAllBytesAsync(RepositoryPaths.TestDataFile("text.png"));
        Assert.That(pages.Select(p => p.Image.Data.ToArray()), Is.EqualTo(new[] { front, back, front, back }));
        Assert.That(pages.Select(p => (p.Image.ContentType, p.Image.Width, p.Image.Height, p.Image.Dpi)).Distinct().Count(), Is.EqualTo(2), "two different images, both PNG at 200 dpi");
        Assert.That(pages[0].Image.Width, Is.EqualTo(384));
        var settings = _server.LastSettings!;
        foreach (var element in new[]
                 {
                     "<pwg:Version>2.6</pwg:Version>", "<scan:Intent>Document</scan:Intent>", "<pwg:InputSource>Feeder</pwg:InputSource>",
                     "<scan:Duplex>true</scan:Duplex>", "<scan:XResolution>200</scan:XResolution>", "<scan:YResolution>200</scan:YResolution>",
                     "<pwg:DocumentFormat>image/png</pwg:DocumentFormat>", "<scan:DocumentFormatExt>image/png</scan:DocumentFormatExt>",
                 })
        {
            Assert.That(settings, Does.Contain(element));
        }

        Assert.That(settings, Does.Not.Contain("ScanRegions"));
        Assert.That(_server.Requests.Last(), Does.EndWith("/NextDocument"), "read until 404; no DELETE for a finished job");
    }

    [Test]
    public async Task A_scan_that_stops_at_max_sheets_deletes_the_job()
    {
        var (result, _) = await ScanAsync(new ScanRequest { Duplex = false, MaxSheets = 1 });

        Assert.That(result.Value!.Pages.Select(p => (p.Sheet, p.Side)), Is.EqualTo(new[] { (1, PageSide.Front) }));
        Assert.That(_server.LastSettings, Does.Contain("<scan:Duplex>false</scan:Duplex>"));
        await WaitForAsync(() => _server.Requests.Any(r => r.StartsWith("DELETE /eSCL/ScanJobs/", StringComparison.Ordinal)));
    }

    [Test]
    public async Task Busy_answers_are_waited_out()
    {
        _server.Next = EsclScript.Busy;
        var (result, _) = await ScanAsync(new ScanRequest());

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(result.Value!.Pages, Has.Count.EqualTo(4));
        Assert.That(_server.Requests.Count(r => r.EndsWith("/NextDocument", StringComparison.Ordinal)), Is.EqualTo(3 + 4 + 1), "3 busy, 4 pages, 1 not found");
    }

    [Test]
    public async Task Endless_busy_answers_are_a_hardware_error()
    {
        _server.BusyAnswers = 1000;
        _server.Next = EsclScript.Busy;
        var (result, _) = await ScanAsync(new ScanRequest(), new EsclScannerOptions { MaxBusyRetries = 3 });

        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.Description, Does.Contain("busy"));
    }

    [Test]
    public async Task A_jam_mid_batch_is_a_paper_jam()
    {
        _server.Next = EsclScript.Jam;
        var (result, scanner) = await ScanAsync(new ScanRequest());

        Assert.That(result.Code, Is.EqualTo(CompletionCode.HardwareError), result.ToString());
        Assert.That(result.DeviceError, Does.Contain("paper jam").And.Contain("ScannerAdfJam"));
        Assert.That(scanner.Status, Is.EqualTo(DeviceStatus.HardwareError));
    }

    [Test]
    public async Task An_empty_feeder_is_no_media_without_a_job()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), arrange: () => _server.Next = EsclScript.EmptyFeeder);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia), result.ToString());
        Assert.That(_server.Requests, Has.None.StartsWith("POST"));
    }

    [Test]
    public async Task A_job_without_documents_is_no_media()
    {
        _server.Sheets = 0;
        var (result, _) = await ScanAsync(new ScanRequest());

        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia), result.ToString());
    }

    [Test]
    public async Task A_body_that_is_not_the_format_asked_for_is_invalid_data()
    {
        _server.Next = EsclScript.Garbage;
        var (result, _) = await ScanAsync(new ScanRequest());

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
    }

    [Test]
    public async Task A_png_when_jpeg_was_asked_for_is_invalid_data()
    {
        var (result, _) = await ScanAsync(new ScanRequest(), new EsclScannerOptions { Format = "image/jpeg" });

        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
    }

    [Test]
    public async Task A_scanner_that_never_answers_times_out_at_the_request_timeout()
    {
        _server.Next = EsclScript.Hang;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var (result, _) = await ScanAsync(new ScanRequest(), new EsclScannerOptions { RequestTimeout = TimeSpan.FromSeconds(2) });

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Timeout), result.ToString());
        Assert.That(wall.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public async Task A_refused_connection_is_not_ready_and_no_device()
    {
        await using var scanner = await OpenAsync(new EsclScannerOptions());
        _server.Stop();
        using var claim = (await scanner.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;

        var result = await RealIo.DriveAsync(scanner.ScanAsync(claim, new ScanRequest(), CancellationToken.None), _time, WallBudget);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(scanner.Status, Is.EqualTo(DeviceStatus.NoDevice));
        var health = await scanner.CheckHealthAsync(HealthCheckLevel.External, CancellationToken.None);
        Assert.That(health.Healthy, Is.False);
    }

    [Test]
    public void Options_without_an_http_base_uri_are_refused()
    {
        Assert.Throws<ArgumentException>(() => _ = new EsclScanner("s", new EsclScannerOptions(), _time));
        Assert.Throws<ArgumentException>(() => _ = new EsclScanner("s", new EsclScannerOptions { BaseUri = new Uri("ftp://scanner/eSCL") }, _time));
        Assert.Throws<ArgumentException>(() => _ = new EsclScanner("s", new EsclScannerOptions { BaseUri = _server.BaseUri, Format = "application/pdf" }, _time));
    }

    private async Task<EsclScanner> OpenAsync(EsclScannerOptions options)
    {
        options.BaseUri = _server.BaseUri;
        var scanner = new EsclScanner("documentScanner", options, _time);
        var opened = await scanner.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.Success), opened.ToString());
        return scanner;
    }

    /// <param name="arrange">Scripts the server after the scanner opened (opening reads ScannerStatus too).</param>
    private async Task<(DeviceResult<ScanBatch> Result, EsclScanner Scanner)> ScanAsync(ScanRequest request, EsclScannerOptions? options = null, Action? arrange = null)
    {
        var scanner = await OpenAsync(options ?? new EsclScannerOptions());
        _scanners.Add(scanner);
        arrange?.Invoke();
        using var claim = (await scanner.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var result = await RealIo.DriveAsync(scanner.ScanAsync(claim, request, CancellationToken.None), _time, WallBudget);
        return (result, scanner);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && wall.Elapsed < WallBudget)
        {
            await Task.Delay(20);
        }

        Assert.That(condition(), Is.True);
    }
}
