using System.Text.Json;

namespace Kiosk.Central.Messages;

/// <summary>
/// Reads a <c>records/{kind}</c> payload. A payload that is not a batch at all is one problem; inside a batch,
/// each record is checked on its own so one bad record does not hold back the good ones.
/// </summary>
internal static class RecordBatchReader
{
    public static RecordBatch Read(KioskTopic topic, ReadOnlyMemory<byte> payload)
    {
        if (!ContractFormats.RecordKinds.Contains(topic.Kind ?? string.Empty))
        {
            return Rejected($"unknown kind '{topic.Kind}' (expected checkin, alert, audit or telemetry)");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            return Rejected("payload is not JSON: " + ex.Message);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("records", out var records)
                || records.ValueKind != JsonValueKind.Array)
            {
                return Rejected("payload has no 'records' array");
            }

            if (records.GetArrayLength() == 0)
            {
                return Rejected("'records' is empty");
            }

            var good = new List<RecordEnvelope>();
            var problems = new List<string>();
            var index = 0;
            foreach (var record in records.EnumerateArray())
            {
                var fields = new JsonFields(record, $"records[{index}]");
                var envelope = ReadRecord(topic, record, fields);
                if (envelope is null)
                {
                    problems.Add(fields.Problem ?? $"records[{index}] is invalid");
                }
                else
                {
                    good.Add(envelope);
                }

                index++;
            }

            return new RecordBatch(good, problems);
        }
    }

    private static RecordEnvelope? ReadRecord(KioskTopic topic, JsonElement record, JsonFields fields)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            fields.Fail("is not an object");
            return null;
        }

        var recordId = fields.String("recordId", ContractFormats.IsUuid, "a UUID");
        var seq = fields.Integer("seq", 0, long.MaxValue);
        var kind = fields.String("kind", k => k == topic.Kind, $"'{topic.Kind}' (the topic's kind)");
        fields.Integer("schemaVersion", 1, int.MaxValue);
        fields.Integer("priority", 0, 3);
        fields.String("createdAt", ContractFormats.IsDateTime, "an RFC 3339 date-time");
        fields.Integer("monotonicMs", 0, long.MaxValue);
        fields.String("bootId", ContractFormats.IsUuid, "a UUID");
        fields.Object("body");
        fields.OptionalInteger("clockOffsetMs");
        var attachments = ReadAttachments(record, fields);
        if (fields.Problem is not null || recordId is null || seq is null || kind is null || attachments is null)
        {
            return null;
        }

        string json;
        try
        {
            json = record.GetRawText();
        }
        catch (InvalidOperationException)
        {
            // Bytes that are not UTF-8 somewhere the fields above do not read, e.g. inside the body (fuzz/ target "record-batch").
            fields.Fail("holds bytes that are not UTF-8 text");
            return null;
        }

        return new RecordEnvelope(topic.SiteId, topic.KioskId, recordId, seq.Value, kind, json, attachments);
    }

    private static List<AttachmentDescriptor>? ReadAttachments(JsonElement record, JsonFields fields)
    {
        var result = new List<AttachmentDescriptor>();
        if (!record.TryGetProperty("attachments", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            fields.Fail("'attachments' is not an array");
            return null;
        }

        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var a = new JsonFields(item, $"{fields.Path}.attachments[{index++}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                fields.Fail(a.Path + " is not an object");
                return null;
            }

            var id = a.String("attachmentId", KioskTopic.IsIdentifier, "^[A-Za-z0-9_-]{1,64}$");
            var contentType = a.String("contentType", c => c.Length is > 0 and <= 255, "a content type");
            var length = a.Integer("length", 0, long.MaxValue);
            var sha256 = a.String("sha256", ContractFormats.IsSha256Hex, "64 hex digits");
            var chunkSize = a.Integer("chunkSize", 1, int.MaxValue);
            var chunkCount = a.Integer("chunkCount", 0, int.MaxValue);
            if (a.Problem is not null || id is null || contentType is null || length is null || sha256 is null || chunkSize is null || chunkCount is null)
            {
                fields.Fail(a.Problem ?? a.Path + " is invalid");
                return null;
            }

            if (chunkCount != (length + chunkSize - 1) / chunkSize)
            {
                fields.Fail($"{a.Path}: chunkCount {chunkCount} is not ceil(length / chunkSize) = {(length + chunkSize - 1) / chunkSize}");
                return null;
            }

            if (result.Any(r => r.AttachmentId == id))
            {
                fields.Fail($"{a.Path}: attachmentId '{id}' appears twice");
                return null;
            }

            result.Add(new AttachmentDescriptor(id, contentType, length.Value, sha256.ToLowerInvariant(), (int)chunkSize.Value, (int)chunkCount.Value));
        }

        return result;
    }

    private static RecordBatch Rejected(string problem) => new([], [problem]);
}
