using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Kiosk.Agent.Sync;

/// <summary>The platform's <c>ack</c> message (docs/schemas/ack.schema.json), parsed defensively.</summary>
internal sealed record AckMessage(IReadOnlyList<string> RecordIds, DateTimeOffset? PlatformTime, IReadOnlyList<(string RecordId, string AttachmentId, int FromChunk)> Retry)
{
    /// <summary>Leading chunks the platform holds durably, per attachment still incomplete.</summary>
    public IReadOnlyList<(string RecordId, string AttachmentId, int ReceivedChunks)> Progress { get; init; } = [];

    /// <summary>The kiosk's clock challenge this ack answers (<see cref="Kiosk.Agent.Control.ClockChallenge"/>), or null.</summary>
    public string? Challenge { get; init; }

    /// <summary>Parses an ack; returns null and a reason when the payload is not a valid ack. Never throws.</summary>
    public static AckMessage? TryParse(ReadOnlySequence<byte> payload, out string? error)
    {
        error = null;
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("recordIds", out var ids) || ids.ValueKind != JsonValueKind.Array)
            {
                error = "missing array 'recordIds'";
                return null;
            }

            var recordIds = new List<string>(ids.GetArrayLength());
            foreach (var id in ids.EnumerateArray())
            {
                if (id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 } value)
                {
                    error = "'recordIds' holds something other than a string";
                    return null;
                }

                recordIds.Add(value);
            }

            DateTimeOffset? platformTime = null;
            if (root.TryGetProperty("platformTime", out var time) && time.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(time.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                platformTime = parsed;
            }

            var retry = new List<(string, string, int)>();
            if (root.TryGetProperty("retry", out var retries) && retries.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in retries.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object
                        && entry.TryGetProperty("recordId", out var rid) && rid.ValueKind == JsonValueKind.String
                        && entry.TryGetProperty("attachmentId", out var aid) && aid.ValueKind == JsonValueKind.String)
                    {
                        var from = entry.TryGetProperty("fromChunk", out var f) && f.TryGetInt32(out var index) && index > 0 ? index : 0;
                        retry.Add((rid.GetString()!, aid.GetString()!, from));
                    }
                }
            }

            var progress = new List<(string, string, int)>();
            if (root.TryGetProperty("progress", out var entries) && entries.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in entries.EnumerateArray())
                {
                    if (entry.ValueKind == JsonValueKind.Object
                        && entry.TryGetProperty("recordId", out var rid) && rid.ValueKind == JsonValueKind.String
                        && entry.TryGetProperty("attachmentId", out var aid) && aid.ValueKind == JsonValueKind.String
                        && entry.TryGetProperty("receivedChunks", out var n) && n.TryGetInt32(out var received) && received >= 0)
                    {
                        progress.Add((rid.GetString()!, aid.GetString()!, received));
                    }
                }
            }

            var challenge = root.TryGetProperty("challenge", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            return new AckMessage(recordIds, platformTime, retry) { Progress = progress, Challenge = challenge };
        }
        catch (JsonException ex)
        {
            error = "not JSON: " + ex.Message;
            return null;
        }
        catch (InvalidOperationException ex)
        {
            // System.Text.Json checks a string's text only when it is read: bytes that are not UTF-8, or a \u escape of
            // half a surrogate pair ("\ud800"), throw here (found by fuzz/ target "ack"); malformed all the same.
            error = "a string is not valid Unicode text: " + ex.Message;
            return null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            error = "not a valid ack: " + ex.Message;
            return null;
        }
    }
}
