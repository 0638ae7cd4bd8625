using System.Net;
using System.Text;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// A duplex sheet-fed scanner over eSCL, the driverless HTTP scan protocol of AirScan / Mopria scanners (Mopria
/// Alliance, "eSCL Technical Specification" v2.6; section numbers below are that document's). One scan is:
/// GET {BaseUri}/ScannerStatus (8.4: pwg:State Idle/Processing/Stopped, scan:AdfState e.g. ScannerAdfLoaded,
/// ScannerAdfEmpty, ScannerAdfJam); POST {BaseUri}/ScanJobs with scan:ScanSettings (8.5) -> 201 Created and the job
/// in Location; GET {job}/NextDocument (8.6) until 404 Not Found (no more documents: the job is done), waiting out
/// 503 Service Unavailable (busy, page not scanned yet); 409 Conflict there is a feeder fault (jam). Duplex pages
/// come front, back, front, back. A job ended early is cancelled with DELETE {job} (8.7).
/// Thread safety: one operation at a time (DeviceBase); the HttpClient is shared.
/// </summary>
public sealed class EsclScanner : DeviceBase, IDocumentScanner
{
    private readonly EsclScannerOptions _options;
    private readonly HttpClient _http;
    private readonly Uri _base;
    private readonly ScanLimits _limits;
    private volatile bool _open;

    public EsclScanner(string name, EsclScannerOptions options, TimeProvider timeProvider, HttpMessageHandler? handler = null)
        : base(name, DeviceClass.DocumentScanner, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.BaseUri is not { IsAbsoluteUri: true } baseUri || (baseUri.Scheme != Uri.UriSchemeHttp && baseUri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"document scanner '{name}': BaseUri must be an absolute http(s) URI such as http://192.168.1.20:80/eSCL", nameof(options));
        }

        if (options.Format is not ("image/png" or "image/jpeg") || options.Resolution <= 0 || options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"document scanner '{name}': Format must be image/png or image/jpeg, Resolution and RequestTimeout positive", nameof(options));
        }

        if (options.MaxDocumentBytes is < 1024 * 1024 or > 1024 * 1024 * 1024 || options.MaxImagePixels is < 1_000_000 or > 1_000_000_000)
        {
            throw new ArgumentException(
                $"document scanner '{name}': MaxDocumentBytes {options.MaxDocumentBytes} must be 1048576..1073741824 (default {ScanLimits.Default.MaxBytes}) and MaxImagePixels {options.MaxImagePixels} 1000000..1000000000 (default {ScanLimits.Default.MaxPixels})",
                nameof(options));
        }

        _options = options;
        _limits = new ScanLimits(options.MaxDocumentBytes, options.MaxImagePixels);
        _base = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        // Redirects are followed by EsclAnswer, and only to the scanner's own host; the handler must not follow any itself.
        var transport = handler ?? new SocketsHttpHandler();
        switch (transport)
        {
            case SocketsHttpHandler sockets:
                sockets.AllowAutoRedirect = false;
                break;
            case HttpClientHandler client:
                client.AllowAutoRedirect = false;
                break;
        }

        _http = new HttpClient(transport, disposeHandler: handler is null) { Timeout = Timeout.InfiniteTimeSpan };
        Capabilities = new DeviceCapabilities
        {
            Model = "eSCL " + Redact.Credentials(baseUri.AbsoluteUri),
            Features = [.. options.Duplex ? new[] { "duplex" } : [], "feeder", options.Format == "image/png" ? "png" : "jpeg"],
        };
    }

    public override DeviceCapabilities Capabilities { get; }

    public override async Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var status = await StatusAsync(cancellationToken).ConfigureAwait(false);
        _open = status.IsSuccess;
        if (_open)
        {
            SetStatus(DeviceStatus.Online, "opened: " + status.Value);
        }

        return status.As<Done>();
    }

    public Task<DeviceResult<ScanBatch>> ScanAsync(DeviceClaim claim, ScanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => ScanCoreAsync(request, ct), cancellationToken);
    }

    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        !_open ? DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, "not open")
        : level == HealthCheckLevel.Internal ? DeviceResult<Done>.Success(default)
        : (await StatusAsync(cancellationToken).ConfigureAwait(false)).As<Done>();

    protected override async ValueTask DisposeCoreAsync()
    {
        _http.Dispose();
        await base.DisposeCoreAsync().ConfigureAwait(false);
    }

    private async Task<DeviceResult<ScanBatch>> ScanCoreAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        var duplex = request.Duplex && _options.Duplex;
        var dpi = request.Dpi > 0 ? request.Dpi : _options.Resolution;
        var status = await StatusAsync(cancellationToken).ConfigureAwait(false);
        if (!status.IsSuccess)
        {
            return status.As<ScanBatch>();
        }

        var refusal = Refusal(status.Value!, sides: 0);
        if (refusal is not null)
        {
            return refusal.As<ScanBatch>();
        }

        using var settings = new StringContent(EsclXml.ScanSettings(duplex, dpi, _options.Format), Encoding.UTF8, "text/xml");
        var created = await SendPatientlyAsync(HttpMethod.Post, new Uri(_base, "ScanJobs"), settings, EsclXml.MaxDocumentCharacters, cancellationToken).ConfigureAwait(false);
        if (!created.IsSuccess)
        {
            return created.As<ScanBatch>();
        }

        if (created.Value!.Status == HttpStatusCode.Conflict)
        {
            return (await FaultAsync(0, cancellationToken).ConfigureAwait(false)).As<ScanBatch>();
        }

        if (created.Value.Status != HttpStatusCode.Created || created.Value.Location is null)
        {
            return HardwareError($"POST ScanJobs answered {(int)created.Value.Status} {created.Value.Status}, not 201 Created with a Location").As<ScanBatch>();
        }

        if (!Uri.TryCreate(_base, created.Value.Location, out var job))
        {
            return HardwareError($"POST ScanJobs answered a Location that is not an address: {created.Value.Location.OriginalString}").As<ScanBatch>();
        }

        if (!EsclAnswer.SameHost(job, _base))
        {
            return HardwareError($"the scanner put its job at {job.GetLeftPart(UriPartial.Authority)}, not on its own host {_base.GetLeftPart(UriPartial.Authority)}; refused").As<ScanBatch>();
        }

        var finished = false;
        try
        {
            var (pages, result) = await CollectAsync(job, duplex, dpi, request.ThumbnailHeight, request.MaxSheets * (duplex ? 2 : 1), cancellationToken).ConfigureAwait(false);
            finished = result is null;
            if (result is { IsSuccess: false } failure)
            {
                return failure.As<ScanBatch>();
            }

            if (pages.Count == 0)
            {
                return DeviceResult<ScanBatch>.Failure(CompletionCode.NoMedia, "the feeder is empty", "no document in the job");
            }

            SetStatus(DeviceStatus.Online, $"scanned {pages.Count} side(s)");
            return DeviceResult<ScanBatch>.Success(new ScanBatch(pages));
        }
        finally
        {
            if (!finished)
            {
                // Stopped at MaxSheets, by a fault, cancelled or timed out: free the scanner for the next job (8.7), without waiting.
                _ = CancelJobAsync(job);
            }
        }
    }

    /// <summary>
    /// Fetches documents until 404 (returns no result: done), a fault (returns it) or <paramref name="limit"/> sides
    /// (returns a Success result: the job is still open and must be cancelled).
    /// </summary>
    private async Task<(List<ScannedPage> Pages, DeviceResult<Done>? Result)> CollectAsync(Uri job, bool duplex, int dpi, int thumbnailHeight, int limit, CancellationToken cancellationToken)
    {
        var next = new Uri(job.AbsoluteUri.TrimEnd('/') + "/NextDocument");
        var pages = new List<ScannedPage>();
        while (pages.Count < limit)
        {
            var answer = await SendPatientlyAsync(HttpMethod.Get, next, null, _limits.MaxBytes, cancellationToken).ConfigureAwait(false);
            if (!answer.IsSuccess)
            {
                return (pages, answer.As<Done>());
            }

            switch (answer.Value!.Status)
            {
                case HttpStatusCode.OK:
                    var (image, thumbnail, problem) = ScannedFiles.Decode(answer.Value.Body, dpi, _limits, thumbnailHeight);
                    if (image is null || image.ContentType != _options.Format)
                    {
                        return (pages, DeviceResult<Done>.Failure(CompletionCode.InvalidData, $"document {pages.Count + 1} is not {_options.Format}: {problem ?? "it is " + image!.ContentType}", $"{answer.Value.Body.Length} bytes of {answer.Value.ContentType}"));
                    }

                    pages.Add(ScannedFiles.Page(pages.Count, duplex, image, thumbnail));
                    break;
                case HttpStatusCode.NotFound:
                    return (pages, null);
                case HttpStatusCode.Conflict:
                    return (pages, await FaultAsync(pages.Count, cancellationToken).ConfigureAwait(false));
                default:
                    return (pages, HardwareError($"NextDocument answered {(int)answer.Value.Status} {answer.Value.Status}"));
            }
        }

        return (pages, DeviceResult<Done>.Success(default));
    }

    /// <summary>The scanner refused or stopped a job (409 Conflict): ScannerStatus says why.</summary>
    private async Task<DeviceResult<Done>> FaultAsync(int sides, CancellationToken cancellationToken)
    {
        var status = await StatusAsync(cancellationToken).ConfigureAwait(false);
        return !status.IsSuccess ? status.As<Done>()
            : Refusal(status.Value!, sides) ?? HardwareError($"the scanner stopped the job after {sides} side(s) (409 Conflict, {status.Value})");
    }

    /// <summary>The failure a scanner state means, or null when it can scan.</summary>
    private DeviceResult<Done>? Refusal(ScannerState state, int sides)
    {
        if (state.Jammed)
        {
            SetStatus(DeviceStatus.HardwareError, "paper jam");
            return DeviceResult<Done>.Failure(CompletionCode.HardwareError, $"paper jam after {sides} side(s); open the feeder cover and remove the sheet", "paper jam: " + state.Adf);
        }

        if (state.Stopped)
        {
            return HardwareError($"the scanner is {state.State} ({state.Adf})");
        }

        return state.FeederEmpty && sides == 0
            ? DeviceResult<Done>.Failure(CompletionCode.NoMedia, "the feeder is empty", state.Adf)
            : null;
    }

    private async Task<DeviceResult<ScannerState>> StatusAsync(CancellationToken cancellationToken)
    {
        var answer = await SendPatientlyAsync(HttpMethod.Get, new Uri(_base, "ScannerStatus"), null, EsclXml.MaxDocumentCharacters, cancellationToken).ConfigureAwait(false);
        if (!answer.IsSuccess)
        {
            return answer.As<ScannerState>();
        }

        if (answer.Value!.Status != HttpStatusCode.OK)
        {
            return HardwareError($"ScannerStatus answered {(int)answer.Value.Status} {answer.Value.Status}").As<ScannerState>();
        }

        try
        {
            return DeviceResult<ScannerState>.Success(EsclXml.Status(Encoding.UTF8.GetString(answer.Value.Body)));
        }
        catch (InvalidDataException ex)
        {
            return DeviceResult<ScannerState>.Failure(CompletionCode.InvalidData, "ScannerStatus is not an eSCL status document", ex.Message);
        }
    }

    /// <summary>Sends a request, asking again after 503 Service Unavailable up to <see cref="EsclScannerOptions.MaxBusyRetries"/> times.</summary>
    private async Task<DeviceResult<EsclAnswer>> SendPatientlyAsync(HttpMethod method, Uri uri, HttpContent? content, long maxBodyBytes, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var answer = await EsclAnswer.SendAsync(_http, method, uri, content, _options.RequestTimeout, maxBodyBytes, TimeProvider, cancellationToken).ConfigureAwait(false);
            if (answer.Code == CompletionCode.DeviceNotReady)
            {
                SetStatus(DeviceStatus.NoDevice, answer.DeviceError ?? "unreachable");
            }

            if (!answer.IsSuccess || answer.Value!.Status != HttpStatusCode.ServiceUnavailable)
            {
                return answer;
            }

            if (attempt >= _options.MaxBusyRetries)
            {
                return HardwareError($"the scanner stayed busy (503) for {attempt + 1} tries of {method} {uri.AbsolutePath}").As<EsclAnswer>();
            }

            await Task.Delay(_options.BusyRetryDelay, TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CancelJobAsync(Uri job)
    {
        var answer = await EsclAnswer.SendAsync(_http, HttpMethod.Delete, job, null, _options.RequestTimeout, EsclXml.MaxDocumentCharacters, TimeProvider, CancellationToken.None).ConfigureAwait(false);
        _ = answer;
    }

    private DeviceResult<Done> HardwareError(string description)
    {
        SetStatus(DeviceStatus.HardwareError, description);
        return DeviceResult<Done>.Failure(CompletionCode.HardwareError, description, description);
    }
}
