using System.Net;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>One HTTP answer from an eSCL scanner, read in full; and the one place transport failures become completion codes.</summary>
internal sealed record EsclAnswer(HttpStatusCode Status, byte[] Body, string? ContentType, Uri? Location)
{
    /// <summary>
    /// Sends one request. Connection refused or an unknown host is DeviceNotReady (unplugged, switched off);
    /// no complete answer within <paramref name="timeout"/> is Timeout; other transport errors are HardwareError.
    /// Cancellation by <paramref name="cancellationToken"/> (the caller or the operation timeout) is thrown.
    /// </summary>
    public static async Task<DeviceResult<EsclAnswer>> SendAsync(HttpClient http, HttpMethod method, Uri uri, HttpContent? content, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var requestTimeout = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, requestTimeout.Token);
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            return DeviceResult<EsclAnswer>.Success(new EsclAnswer(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType, response.Headers.Location));
        }
        catch (OperationCanceledException) when (requestTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DeviceResult<EsclAnswer>.Failure(CompletionCode.Timeout, $"no answer from the scanner to {method} {uri.AbsolutePath} within {timeout.TotalSeconds:0.#} s", "request timeout");
        }
        catch (HttpRequestException ex) when (ex.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return DeviceResult<EsclAnswer>.Failure(CompletionCode.DeviceNotReady, $"scanner at {uri.GetLeftPart(UriPartial.Authority)} not reachable", ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return DeviceResult<EsclAnswer>.Failure(CompletionCode.HardwareError, $"{method} {uri.AbsolutePath} failed", ex.Message);
        }
    }
}
