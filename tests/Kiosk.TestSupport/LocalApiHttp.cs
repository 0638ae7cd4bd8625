using System.Net.Http.Headers;
using Kiosk.Agent.LocalApi;

namespace Kiosk.TestSupport;

/// <summary>HTTP clients for an agent's local API that authenticate as kioskctl and the kiosk screen do.</summary>
public static class LocalApiHttp
{
    /// <summary>
    /// A client that sends the token of the agent whose data folder is <paramref name="dataFolder"/>, read at each request
    /// (a restarted agent has a new one); no proxy, as on the kiosk.
    /// </summary>
    public static HttpClient Client(string dataFolder, TimeSpan? timeout = null) =>
        new(new TokenHandler(dataFolder) { InnerHandler = new SocketsHttpHandler { UseProxy = false } }) { Timeout = timeout ?? TimeSpan.FromSeconds(60) };

    private sealed class TokenHandler(string dataFolder) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Headers.Authorization is null && LocalApiToken.Read(dataFolder) is { } token)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue(LocalApiToken.Scheme, token);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
