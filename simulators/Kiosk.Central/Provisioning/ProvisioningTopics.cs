using System.Text.RegularExpressions;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Provisioning;

/// <summary>
/// The provisioning topics (docs/mqtt-contract.md, "Provisioning"). Requests carry an MQTT 5 response topic; the
/// platform answers only on a response topic of the matching reply namespace, so an anonymous client cannot make
/// it publish anywhere else.
/// </summary>
internal static partial class ProvisioningTopics
{
    public const string Prefix = "kiosk/v1/provisioning/";

    public const string TimeRequest = Prefix + "time";

    public const string EnrollFilter = Prefix + "+/+/enroll";

    /// <summary>Certificate renewal requests, under each kiosk's own prefix (the broker's ACL lets only that kiosk write there).</summary>
    public const string RenewFilter = "kiosk/v1/+/+/csr";

    public static bool IsProvisioning(string topic) => topic.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>Parses <c>kiosk/v1/provisioning/{siteId}/{kioskId}/enroll</c>.</summary>
    public static bool TryParseEnroll(string topic, out string siteId, out string kioskId)
    {
        var parts = topic.Split('/');
        if (parts is ["kiosk", "v1", "provisioning", var site, var kiosk, "enroll"] && KioskTopic.IsIdentifier(site) && KioskTopic.IsIdentifier(kiosk))
        {
            siteId = site;
            kioskId = kiosk;
            return true;
        }

        siteId = kioskId = string.Empty;
        return false;
    }

    /// <summary>True for <c>kiosk/v1/provisioning/{siteId}/{kioskId}/reply/{id}</c> of this kiosk.</summary>
    public static bool IsEnrollReply(string? responseTopic, string siteId, string kioskId) =>
        responseTopic is not null
        && responseTopic.StartsWith($"{Prefix}{siteId}/{kioskId}/reply/", StringComparison.Ordinal)
        && ReplyId().IsMatch(responseTopic[$"{Prefix}{siteId}/{kioskId}/reply/".Length..]);

    /// <summary>True for <c>kiosk/v1/provisioning/time/reply/{id}</c>.</summary>
    public static bool IsTimeReply(string? responseTopic) =>
        responseTopic is not null
        && responseTopic.StartsWith(TimeRequest + "/reply/", StringComparison.Ordinal)
        && ReplyId().IsMatch(responseTopic[(TimeRequest + "/reply/").Length..]);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ReplyId();
}
