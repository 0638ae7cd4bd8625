using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace Kiosk.Agent.Configuration;

/// <summary>
/// Configuration section <c>Kiosk:LocalApi</c>: the agent's HTTP API for kioskctl and the kiosk screen. It has no
/// login, so it listens on the loopback address only; nothing outside this machine can reach it.
/// </summary>
public sealed class LocalApiOptions
{
    public const string Key = "Kiosk:LocalApi:Url";

    public const string DefaultUrl = "http://127.0.0.1:8780";

    /// <summary><c>http://</c>, a loopback address (127.0.0.1, [::1] or localhost) and a port; port 0 picks a free one (see <see cref="LocalApiUrlFile"/>).</summary>
    public string Url { get; set; } = DefaultUrl;

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Parses <paramref name="url"/> into the endpoint to listen on, refusing anything another machine could reach.
    /// <c>localhost</c> listens on 127.0.0.1. On failure, <paramref name="problem"/> names the key and the fix.
    /// </summary>
    public static bool TryParse(string? url, [NotNullWhen(true)] out IPEndPoint? endpoint, [NotNullWhen(false)] out string? problem)
    {
        endpoint = null;
        const string Fix = "use http://127.0.0.1:PORT (default " + DefaultUrl + "; port 0 picks a free port)";
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            problem = $"{Key} '{url}' is not a URL: {Fix}.";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            problem = $"{Key} '{url}' uses {uri.Scheme}: the local API speaks plain HTTP and only on this machine's loopback address; {Fix}.";
            return false;
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            problem = $"{Key} '{url}' has a path, query or user name: give only the address and port; {Fix}.";
            return false;
        }

        IPAddress? address = null;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            address = IPAddress.Loopback;
        }
        else if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) && IPAddress.IsLoopback(parsed))
        {
            address = parsed;
        }

        if (address is null)
        {
            problem = $"{Key} '{url}' listens on {uri.Host}, which other machines can reach: the local API is for this machine only (its token keeps other users out, the address keeps other machines out); {Fix}.";
            return false;
        }

        endpoint = new IPEndPoint(address, uri.Port);
        problem = null;
        return true;
    }
}
