using System.Text.Json;
using Kiosk.Central.Messages;
using Kiosk.Central.Reassembly;

namespace Kiosk.Central.Acknowledging;

/// <summary>One message on <c>kiosk/v1/{site}/{kiosk}/ack</c> (docs/schemas/ack.schema.json).</summary>
internal sealed record AckMessage(
    string SiteId,
    string KioskId,
    IReadOnlyList<string> RecordIds,
    IReadOnlyList<AttachmentFailure> Retry,
    IReadOnlyList<ChunkProgress> Progress,
    DateTimeOffset PlatformTime)
{
    public string Topic => KioskTopic.AckTopic(SiteId, KioskId);

    /// <summary>The clock challenge of the kiosk's birth this ack answers, or null.</summary>
    public string? Challenge { get; init; }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("recordIds");
            foreach (var id in RecordIds)
            {
                json.WriteStringValue(id);
            }

            json.WriteEndArray();
            json.WriteString("platformTime", ContractFormats.FormatTime(PlatformTime));
            if (Challenge is not null)
            {
                json.WriteString("challenge", Challenge);
            }

            if (Retry.Count > 0)
            {
                json.WriteStartArray("retry");
                foreach (var failure in Retry)
                {
                    json.WriteStartObject();
                    json.WriteString("recordId", failure.RecordId);
                    json.WriteString("attachmentId", failure.AttachmentId);
                    json.WriteString("reason", failure.Reason);
                    if (failure.FromChunk > 0)
                    {
                        json.WriteNumber("fromChunk", failure.FromChunk);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            if (Progress.Count > 0)
            {
                json.WriteStartArray("progress");
                foreach (var entry in Progress)
                {
                    json.WriteStartObject();
                    json.WriteString("recordId", entry.RecordId);
                    json.WriteString("attachmentId", entry.AttachmentId);
                    json.WriteNumber("receivedChunks", entry.ReceivedChunks);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
