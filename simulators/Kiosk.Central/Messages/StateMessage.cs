using System.Text.Json;

namespace Kiosk.Central.Messages;

/// <summary>The fields of a birth or death the platform keeps (docs/mqtt-contract.md, "state").</summary>
internal sealed record StateMessage(bool Online, string? BootId, string? AgentVersion)
{
    /// <summary>The kiosk's clock challenge in a birth, answered with a signed ack that echoes it.</summary>
    public string? Challenge { get; init; }

    public static StateMessage? Read(ReadOnlyMemory<byte> payload, out string problem)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("online", out var online)
                || online.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                problem = "state has no boolean 'online'";
                return null;
            }

            problem = string.Empty;
            return new StateMessage(online.GetBoolean(), OptionalString(root, "bootId"), OptionalString(root, "agentVersion")) { Challenge = OptionalString(root, "challenge") };
        }
        catch (JsonException ex)
        {
            problem = "payload is not JSON: " + ex.Message;
            return null;
        }
    }

    /// <summary>A heartbeat must at least be a JSON object; the platform keeps it as received.</summary>
    public static bool IsJsonObject(ReadOnlyMemory<byte> payload, out string problem)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            problem = document.RootElement.ValueKind == JsonValueKind.Object ? string.Empty : "payload is not a JSON object";
            return problem.Length == 0;
        }
        catch (JsonException ex)
        {
            problem = "payload is not JSON: " + ex.Message;
            return false;
        }
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
