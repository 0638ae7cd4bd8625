using System.Text.Json;
using Kiosk.Agent.Outbox;

namespace Kiosk.Agent.Sync;

/// <summary>Writes the <c>records/{kind}</c> payload (docs/schemas/records.schema.json).</summary>
internal static class RecordMessage
{
    /// <param name="clockOffset">Platform clock minus kiosk clock, stamped on each record when known to be off (null: not stamped).</param>
    public static byte[] Serialize(IReadOnlyList<OutgoingRecord> records, int chunkBytes, TimeSpan? clockOffset = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("records");
            foreach (var outgoing in records)
            {
                WriteRecord(writer, outgoing.Record, outgoing.Body, chunkBytes, clockOffset);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteRecord(Utf8JsonWriter writer, OutboxRecord record, byte[] body, int chunkBytes, TimeSpan? clockOffset)
    {
        writer.WriteStartObject();
        writer.WriteString("recordId", record.RecordId);
        writer.WriteNumber("seq", record.Seq);
        writer.WriteString("kind", record.Kind.WireName());
        writer.WriteNumber("schemaVersion", record.SchemaVersion);
        writer.WriteNumber("priority", (int)record.Priority);
        writer.WriteString("createdAt", OutboxTime.Format(record.CreatedAt));
        writer.WriteNumber("monotonicMs", record.MonotonicMs);
        writer.WriteString("bootId", record.BootId);
        if (clockOffset is { } offset)
        {
            writer.WriteNumber("clockOffsetMs", (long)offset.TotalMilliseconds);
        }

        writer.WritePropertyName("body");
        // The body was checked to be a JSON object when it was opened (OutgoingRecord.Open).
        writer.WriteRawValue(body, skipInputValidation: true);
        writer.WriteStartArray("attachments");
        foreach (var attachment in record.Attachments)
        {
            writer.WriteStartObject();
            writer.WriteString("attachmentId", attachment.AttachmentId);
            writer.WriteString("contentType", attachment.ContentType);
            writer.WriteNumber("length", attachment.Length);
            writer.WriteString("sha256", attachment.Sha256);
            writer.WriteNumber("chunkSize", chunkBytes);
            writer.WriteNumber("chunkCount", ChunkCount(attachment.Length, chunkBytes));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>ceil(length / chunkSize): an empty attachment has no chunks (docs/mqtt-contract.md).</summary>
    public static int ChunkCount(long length, int chunkBytes) => (int)((length + chunkBytes - 1) / chunkBytes);
}
