using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Kiosk.Central.Tests.Support;

/// <summary>Records shaped like docs/mqtt-contract.md.</summary>
internal static class Records
{
    public static readonly string BootId = Guid.CreateVersion7().ToString();

    public static JsonObject New(long seq, string kind = "checkin", params JsonObject[] attachments)
    {
        var record = new JsonObject
        {
            ["recordId"] = Guid.CreateVersion7().ToString(),
            ["seq"] = seq,
            ["kind"] = kind,
            ["schemaVersion"] = 1,
            ["priority"] = kind == "alert" ? 0 : kind == "checkin" ? 1 : 2,
            ["createdAt"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["monotonicMs"] = 1000 + seq,
            ["bootId"] = BootId,
            ["body"] = new JsonObject { ["subjectId"] = "S-1024", ["result"] = "present" },
        };
        if (attachments.Length > 0)
        {
            record["attachments"] = new JsonArray(attachments.Select(a => (JsonNode)a).ToArray());
        }

        return record;
    }

    public static JsonObject Attachment(string attachmentId, byte[] content, int chunkSize, string contentType = "image/png") => new()
    {
        ["attachmentId"] = attachmentId,
        ["contentType"] = contentType,
        ["length"] = content.Length,
        ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
        ["chunkSize"] = chunkSize,
        ["chunkCount"] = (content.Length + chunkSize - 1) / chunkSize,
    };

    public static string Id(JsonObject record) => (string)record["recordId"]!;

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
