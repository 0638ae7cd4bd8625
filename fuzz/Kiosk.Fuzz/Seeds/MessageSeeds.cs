using System.Text;

namespace Kiosk.Fuzz.Seeds;

/// <summary>Seeds for the MQTT messages: the platform's ack (agent side) and the kiosk's records and chunks (platform side), as docs/mqtt-contract.md shows them.</summary>
internal static class MessageSeeds
{
    private const string RecordId = "01934f6e-7c1a-7b2e-9d3f-2a4b6c8d0e1f";
    private const string BootId = "5f0c2a9e-3b1d-4c7e-8a6f-9d2e1b3c4a5f";
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        yield return ("ack", "records-and-time.json", Utf8($$"""{"recordIds":["{{RecordId}}"],"platformTime":"2025-03-01T08:00:00.000Z"}"""));
        yield return ("ack", "retry-and-progress.json", Utf8($$"""{"recordIds":[],"retry":[{"recordId":"{{RecordId}}","attachmentId":"photo","fromChunk":2}],"progress":[{"recordId":"{{RecordId}}","attachmentId":"signature","receivedChunks":3}]}"""));
        yield return ("ack", "not-an-ack.json", Utf8("""{"recordIds":"x"}"""));

        const string checkinTopic = "kiosk/v1/site-1/kiosk-01/records/checkin\n";
        yield return ("record-batch", "checkin-with-attachment.txt", Utf8(checkinTopic + $$"""{"records":[{{Record("checkin", 7, $$""","attachments":[{"attachmentId":"photo","contentType":"image/jpeg","length":300000,"sha256":"{{Sha}}","chunkSize":131072,"chunkCount":3}]""")}}]}"""));
        yield return ("record-batch", "two-alerts-one-bad.txt", Utf8("kiosk/v1/site-1/kiosk-01/records/alert\n" + $$"""{"records":[{{Record("alert", 8, "")}},{"recordId":"nope","seq":-1}]}"""));
        yield return ("record-batch", "telemetry.txt", Utf8("kiosk/v1/site-1/kiosk-01/records/telemetry\n" + $$"""{"records":[{{Record("telemetry", 9, ""","clockOffsetMs":-2500""")}}]}"""));

        yield return ("chunk-header", "first-of-two.txt", Utf8($"131072\nindex=0\ncount=2\noffset=0\nlength=200000\nsha256={Sha}\nchunkSha256={Sha}"));
        yield return ("chunk-header", "last-of-two.txt", Utf8($"68928\nindex=1\ncount=2\noffset=131072\nlength=200000\nsha256={Sha}\nchunkSha256={Sha.ToUpperInvariant()}\nindex=1"));
        yield return ("chunk-header", "missing-properties.txt", Utf8("10\nindex=0\ncount=1"));
    }

    private static string Record(string kind, int seq, string extra) =>
        $$"""{"recordId":"{{RecordId}}","seq":{{seq}},"kind":"{{kind}}","schemaVersion":1,"priority":1,"createdAt":"2025-03-01T08:00:00.123+08:00","monotonicMs":123456,"bootId":"{{BootId}}","body":{"steps":["IdCard","Face"]}{{extra}}}""";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
