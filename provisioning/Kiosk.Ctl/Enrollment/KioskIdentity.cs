using System.Text.RegularExpressions;

namespace Kiosk.Ctl.Enrollment;

/// <summary>Site and kiosk ids (docs/mqtt-contract.md: <c>^[A-Za-z0-9_-]{1,64}$</c>) and the names derived from them.</summary>
internal static partial class KioskIdentity
{
    /// <summary>Where the provisioning listener is when <c>--provisioning-port</c> is not given.</summary>
    public const int DefaultProvisioningPort = 8884;

    public static bool IsValid(string id) => IdPattern().IsMatch(id);

    /// <summary>The certificate subject's common name the platform expects for this kiosk.</summary>
    public static string CommonName(string siteId, string kioskId) => $"kiosk-{siteId}-{kioskId}";

    public static string EnrollTopic(string siteId, string kioskId) => $"kiosk/v1/provisioning/{siteId}/{kioskId}/enroll";

    public static string EnrollReplyTopic(string siteId, string kioskId, string replyId) => $"kiosk/v1/provisioning/{siteId}/{kioskId}/reply/{replyId}";

    public const string TimeTopic = "kiosk/v1/provisioning/time";

    public static string TimeReplyTopic(string replyId) => $"{TimeTopic}/reply/{replyId}";

    /// <summary>Parses <c>mqtts://HOST[:PORT]</c> (port 8883 when absent); null with the reason otherwise.</summary>
    public static (string Host, int Port)? ParseBroker(string text, out string problem)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            problem = $"--broker '{text}' is not mqtts://HOST:PORT";
            return null;
        }

        if (uri.Scheme != "mqtts")
        {
            problem = $"--broker '{text}' must use mqtts:// (a production kiosk talks to the broker only over TLS)";
            return null;
        }

        if (uri.AbsolutePath is not ("" or "/") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            problem = $"--broker '{text}' must be only mqtts://HOST:PORT";
            return null;
        }

        problem = string.Empty;
        return (uri.IdnHost, uri.IsDefaultPort || uri.Port < 0 ? 8883 : uri.Port);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
