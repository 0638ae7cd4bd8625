using System.Text.RegularExpressions;

namespace Kiosk.Central.Messages;

/// <summary>A parsed kiosk → platform topic (docs/mqtt-contract.md, "Topic prefix").</summary>
internal sealed partial record KioskTopic(string SiteId, string KioskId, TopicChannel Channel, string? Kind, string? RecordId, string? AttachmentId)
{
    public const string Prefix = "kiosk/v1/";

    public string KioskKey => SiteId + "/" + KioskId;

    public static string AckTopic(string siteId, string kioskId) => $"{Prefix}{siteId}/{kioskId}/ack";

    public static string CommandTopic(string siteId, string kioskId, string name) => $"{Prefix}{siteId}/{kioskId}/cmd/{name}";

    public static bool TryParse(string topic, out KioskTopic? parsed, out string problem)
    {
        parsed = null;
        var parts = topic.Split('/');
        if (parts.Length < 5 || parts[0] != "kiosk" || parts[1] != "v1")
        {
            problem = "topic is not under kiosk/v1/{siteId}/{kioskId}/";
            return false;
        }

        if (!IsIdentifier(parts[2]) || !IsIdentifier(parts[3]))
        {
            problem = "siteId or kioskId does not match ^[A-Za-z0-9_-]{1,64}$";
            return false;
        }

        (TopicChannel? channel, int expected) = parts[4] switch
        {
            "state" => ((TopicChannel?)TopicChannel.State, 5),
            "telemetry" => (TopicChannel.Telemetry, 5),
            "records" => (TopicChannel.Records, 6),
            "blobs" => (TopicChannel.Blob, 7),
            "csr" => (TopicChannel.CertificateRequest, 5),
            _ => (null, 0),
        };
        if (channel is null || parts.Length != expected)
        {
            problem = $"unknown channel '{string.Join('/', parts[4..])}'";
            return false;
        }

        if (parts.Skip(5).Any(p => !IsIdentifier(p)))
        {
            problem = "a kind, recordId or attachmentId segment does not match ^[A-Za-z0-9_-]{1,64}$";
            return false;
        }

        parsed = new KioskTopic(
            parts[2],
            parts[3],
            channel.Value,
            channel == TopicChannel.Records ? parts[5] : null,
            channel == TopicChannel.Blob ? parts[5] : null,
            channel == TopicChannel.Blob ? parts[6] : null);
        problem = string.Empty;
        return true;
    }

    public static bool IsIdentifier(string value) => IdentifierPattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
