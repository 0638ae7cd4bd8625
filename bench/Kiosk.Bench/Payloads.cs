using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;

namespace Kiosk.Bench;

/// <summary>The bytes every benchmark and its baseline share: a ~1 KB check-in body and a 150 KiB photograph.</summary>
internal static class Payloads
{
    public const int BodyBytes = 1024;

    /// <summary>Incompressible, like a JPEG; fixed seed so every run moves the same bytes.</summary>
    public static byte[] Attachment { get; } = MakeAttachment();

    /// <summary>A check-in body shaped like the session's (CheckInEvidence), padded to exactly <see cref="BodyBytes"/> bytes of JSON.</summary>
    public static JsonObject CheckInBody(int index)
    {
        var at = new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero).AddSeconds(index);
        var body = new JsonObject
        {
            ["sessionId"] = Guid.CreateVersion7(at).ToString("D"),
            ["siteId"] = "bench",
            ["kioskId"] = "k1",
            ["person"] = new JsonObject
            {
                ["personId"] = "P" + (index % 10_000).ToString("D4", CultureInfo.InvariantCulture),
                ["idNumber"] = "11010519491231002X",
                ["name"] = "Bench Person",
                ["sexCode"] = "1",
                ["ethnicityCode"] = "01",
                ["birthDate"] = "1949-12-31",
            },
            ["supervisionLevel"] = "normal",
            ["policy"] = new JsonArray("idCard", "face", "signature", "voice"),
            ["startedAt"] = Time(at),
            ["finishedAt"] = Time(at.AddSeconds(42)),
            ["steps"] = new JsonArray(
                new JsonObject { ["step"] = "idCard", ["completedAt"] = Time(at.AddSeconds(5)), ["detail"] = new JsonObject { ["cardValidUntil"] = "long-term" } },
                new JsonObject { ["step"] = "face", ["completedAt"] = Time(at.AddSeconds(15)), ["detail"] = new JsonObject { ["score"] = 0.9132, ["threshold"] = 0.8, ["method"] = "simulated" } },
                new JsonObject { ["step"] = "signature", ["completedAt"] = Time(at.AddSeconds(30)) },
                new JsonObject { ["step"] = "voice", ["completedAt"] = Time(at.AddSeconds(42)) }),
            ["facts"] = new JsonObject { ["faceAttempts"] = 1, ["outcome"] = "completed" },
        };
        const int NoteOverhead = 10; // ,"note":""
        var missing = BodyBytes - Encoding.UTF8.GetByteCount(body.ToJsonString()) - NoteOverhead;
        body["note"] = new string('x', Math.Max(0, missing));
        return body;
    }

    public static NewRecord CheckIn(int index, bool withAttachment) =>
        new(RecordKind.CheckIn, CheckInBody(index))
        {
            Attachments = withAttachment ? [NewAttachment.FromBytes("face", "image/jpeg", Attachment, biometric: true)] : [],
        };

    /// <summary>
    /// The <c>records/checkin</c> payload of one record as the agent writes it (docs/schemas/records.schema.json),
    /// for the MQTTnet baseline: the same JSON bytes, one record per message.
    /// </summary>
    public static byte[] RecordMessage(int index)
    {
        var record = new JsonObject
        {
            ["recordId"] = Guid.CreateVersion7().ToString("D"),
            ["seq"] = index + 1,
            ["kind"] = "checkin",
            ["schemaVersion"] = 1,
            ["priority"] = 1,
            ["createdAt"] = Time(DateTimeOffset.UtcNow),
            ["monotonicMs"] = index,
            ["bootId"] = Guid.CreateVersion7().ToString("D"),
            ["body"] = CheckInBody(index),
            ["attachments"] = new JsonArray(),
        };
        return Encoding.UTF8.GetBytes(new JsonObject { ["records"] = new JsonArray(record) }.ToJsonString());
    }

    /// <summary>The contract's timestamp format (UTC, milliseconds), as the agent writes it.</summary>
    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static byte[] MakeAttachment()
    {
        var bytes = new byte[BenchSizes.AttachmentBytes];
#pragma warning disable CA5394 // Filler bytes for a benchmark, not a secret.
        new Random(20250106).NextBytes(bytes);
#pragma warning restore CA5394
        return bytes;
    }
}
