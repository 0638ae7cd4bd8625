using System.Security.Cryptography;
using System.Text.Json;
using Kiosk.Agent.Outbox;

namespace Kiosk.Agent.Sync;

/// <summary>A record on its way to the platform with its body opened (sealed at rest, sent in clear inside TLS).</summary>
internal sealed record OutgoingRecord(OutboxRecord Record, byte[] Body)
{
    /// <summary>Opens the record's body; null with the reason when it cannot be sent as it is (altered on disk, not a JSON object).</summary>
    public static OutgoingRecord? Open(OutboxStore outbox, OutboxRecord record, out string? problem)
    {
        byte[] body;
        try
        {
            body = outbox.OpenBody(record);
        }
        catch (CryptographicException ex)
        {
            problem = $"the sealed body failed its integrity check ({ex.Message})";
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "the body is not a JSON object";
                return null;
            }
        }
        catch (JsonException ex)
        {
            problem = $"the body is not JSON ({ex.Message})";
            return null;
        }

        problem = null;
        return new OutgoingRecord(record, body);
    }
}
