using System.Globalization;
using System.Net;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// One HTTP answer from an eSCL scanner, read in full but never beyond a bound; and the one place transport failures
/// become completion codes.
/// </summary>
internal sealed record EsclAnswer(HttpStatusCode Status, byte[] Body, string? ContentType, Uri? Location)
{
    /// <summary>Redirects followed for one request, each to the same host (e.g. http to https).</summary>
    private const int MaxRedirects = 3;

    private const int ReadChunk = 81920;

    /// <summary>
    /// Sends one request. Connection refused or an unknown host is DeviceNotReady (unplugged, switched off);
    /// no complete answer within <paramref name="timeout"/> is Timeout; other transport errors are HardwareError;
    /// a body longer than <paramref name="maxBodyBytes"/> (declared or streamed) is InvalidData; a redirect to another
    /// host is HardwareError, and nothing is sent there. Cancellation by <paramref name="cancellationToken"/> (the
    /// caller or the operation timeout) is thrown.
    /// </summary>
    public static async Task<DeviceResult<EsclAnswer>> SendAsync(HttpClient http, HttpMethod method, Uri uri, HttpContent? content, TimeSpan timeout, long maxBodyBytes, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var requestTimeout = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, requestTimeout.Token);
        try
        {
            var target = uri;
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(method, target) { Content = content };
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                var answered = response.RequestMessage?.RequestUri ?? target;
                if (!SameHost(answered, uri))
                {
                    // Only a handler given by the caller can follow redirects by itself (ours never does): refuse what it fetched.
                    return Refused(method, uri, answered);
                }

                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    if (!Uri.TryCreate(answered, location, out var next))
                    {
                        return DeviceResult<EsclAnswer>.Failure(CompletionCode.HardwareError, $"{method} {uri.AbsolutePath} was redirected to '{location.OriginalString}', which is not an address", "redirect refused");
                    }

                    if (!SameHost(next, uri) || (method == HttpMethod.Post && response.StatusCode is not (HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect)))
                    {
                        return Refused(method, uri, next);
                    }

                    if (hop >= MaxRedirects)
                    {
                        return DeviceResult<EsclAnswer>.Failure(CompletionCode.HardwareError, $"{method} {uri.AbsolutePath} was redirected more than {MaxRedirects} times", "redirect loop");
                    }

                    target = next;
                    continue;
                }

                var body = await ReadBoundedAsync(response.Content, maxBodyBytes, linked.Token).ConfigureAwait(false);
                if (body is null)
                {
                    return DeviceResult<EsclAnswer>.Failure(
                        CompletionCode.InvalidData,
                        string.Create(CultureInfo.InvariantCulture, $"the scanner's answer to {method} {uri.AbsolutePath} is larger than {maxBodyBytes} bytes; refused"),
                        "answer too large");
                }

                return DeviceResult<EsclAnswer>.Success(new EsclAnswer(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType, response.Headers.Location));
            }
        }
        catch (OperationCanceledException) when (requestTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DeviceResult<EsclAnswer>.Failure(CompletionCode.Timeout, $"no answer from the scanner to {method} {uri.AbsolutePath} within {timeout.TotalSeconds:0.#} s", "request timeout");
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return DeviceResult<EsclAnswer>.Failure(CompletionCode.DeviceNotReady, $"scanner at {uri.GetLeftPart(UriPartial.Authority)} not reachable", ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return DeviceResult<EsclAnswer>.Failure(CompletionCode.HardwareError, $"{method} {uri.AbsolutePath} failed", ex.Message);
        }
    }

    /// <summary>
    /// The scanner's own host (the same name, http or https): where redirects and job locations may point. Anything else
    /// would send the kiosk's requests, or fetch "scanned documents", from a machine nobody configured.
    /// </summary>
    public static bool SameHost(Uri candidate, Uri scanner) =>
        candidate.IsAbsoluteUri
        && (candidate.Scheme == Uri.UriSchemeHttp || candidate.Scheme == Uri.UriSchemeHttps)
        && string.Equals(candidate.IdnHost, scanner.IdnHost, StringComparison.OrdinalIgnoreCase)
        && !(scanner.Scheme == Uri.UriSchemeHttps && candidate.Scheme == Uri.UriSchemeHttp);

    private static bool IsRedirect(HttpStatusCode status) => (int)status is >= 300 and <= 399;

    private static DeviceResult<EsclAnswer> Refused(HttpMethod method, Uri uri, Uri elsewhere) =>
        DeviceResult<EsclAnswer>.Failure(
            CompletionCode.HardwareError,
            $"the scanner redirected {method} {uri.AbsolutePath} to {elsewhere.GetLeftPart(UriPartial.Authority)}, which is not the scanner at {uri.GetLeftPart(UriPartial.Authority)}; refused",
            "redirect refused");

    /// <summary>The body, or null as soon as it is known to be longer than <paramref name="maxBytes"/> (announced, or while streaming).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        var declared = content.Headers.ContentLength;
        if (declared > maxBytes)
        {
            return null;
        }

        using var body = new MemoryStream((int)Math.Min(declared ?? ReadChunk, maxBytes));
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var chunk = new byte[ReadChunk];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > maxBytes)
                {
                    return null;
                }

                body.Write(chunk, 0, read);
            }
        }

        return body.ToArray();
    }
}
