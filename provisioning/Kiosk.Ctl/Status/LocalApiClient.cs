using System.Net.Sockets;
using System.Text.Json;
using Kiosk.Agent.LocalApi;

namespace Kiosk.Ctl.Status;

/// <summary>
/// Talks to the running agent's local API. No answer (refused, timed out) means the agent is not running; an answer
/// that is not the agent's means something else holds the port. Both are <see cref="AgentLocationException"/>s
/// with exit code 3 and a message that says what to do. Every request carries the running agent's token (read from its
/// data folder; only root and the service's group can). Never goes through a proxy.
/// </summary>
internal sealed class LocalApiClient : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly HttpClient _http;
    private readonly Uri _url;
    private readonly string _source;
    private readonly string? _token;
    private readonly string _tokenPath;

    public LocalApiClient(Uri url, string source, string? token, string tokenPath)
    {
        _url = url;
        _source = source;
        _token = token;
        _tokenPath = tokenPath;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = Timeout }) { BaseAddress = url, Timeout = Timeout };
    }

    public Uri Url => _url;

    /// <summary>The message when nothing answers; <paramref name="why"/> says where kioskctl looked.</summary>
    public static string NotRunning(string why) =>
        $"the agent is not running ({why}): start it with `systemctl start kiosk-agent` (Windows: `Start-Service KioskAgent`); "
        + "if it does not stay up, `journalctl -u kiosk-agent` says why";

    /// <summary>GETs <paramref name="path"/>; returns the JSON text and the parsed value.</summary>
    public Task<(string Json, T Value)> GetAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Get, path, cancellationToken);

    public Task<(string Json, T Value)> PostAsync<T>(string path, CancellationToken cancellationToken) =>
        SendAsync<T>(HttpMethod.Post, path, cancellationToken);

    private async Task<(string Json, T Value)> SendAsync<T>(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var where = new Uri(_url, path);
        string text;
        System.Net.HttpStatusCode code;
        try
        {
            using var request = new HttpRequestMessage(method, where);
            if (_token is not null)
            {
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(LocalApiToken.Scheme, _token);
            }

            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            code = response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new AgentLocationException(NotRunning($"no answer at {_url.GetLeftPart(UriPartial.Authority)}, from {_source}"));
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AgentLocationException(NotRunning($"no answer within {Timeout.TotalSeconds:0} s at {_url.GetLeftPart(UriPartial.Authority)}, from {_source}; if it runs, it is stuck: restart it"));
        }
        catch (HttpRequestException ex)
        {
            throw new AgentLocationException($"{where} did not answer properly ({ex.Message}): is it the kiosk agent's local API? (address from {_source})");
        }

        if (code == System.Net.HttpStatusCode.Unauthorized)
        {
            throw new AgentLocationException(_token is null
                ? $"the agent asks for its token, and kioskctl cannot read {_tokenPath}: run kioskctl with sudo (or as the kiosk's service user)"
                : $"the agent refused the token in {_tokenPath}: it belongs to an earlier run; if the agent was just restarted, try again");
        }

        if ((int)code is < 200 or > 299)
        {
            var detail = TryParse<LocalApiError>(text)?.Message ?? text;
            throw new AgentLocationException($"the agent answered {(int)code} to {method} {where.AbsolutePath}: {detail}");
        }

        return TryParse<T>(text) is { } value
            ? (text, value)
            : throw new AgentLocationException($"{where} answered, but not as the kiosk agent does: another program may hold the port (address from {_source})");
    }

    private static T? TryParse<T>(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, LocalApiJson.Options);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    public void Dispose() => _http.Dispose();
}
