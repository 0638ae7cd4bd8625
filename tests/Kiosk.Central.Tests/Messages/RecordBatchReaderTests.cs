using System.Text;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Tests.Messages;

/// <summary>Hostile record batches found by fuzzing (fuzz/regressions/record-batch): one bad record is a problem, never an exception.</summary>
[TestFixture]
public sealed class RecordBatchReaderTests
{
    private static readonly KioskTopic Topic = new("site-1", "kiosk-01", TopicChannel.Records, "checkin", null, null);

    [TestCase("recordId")]
    [TestCase("createdAt")]
    [TestCase("contentType")]
    public void A_record_with_a_string_that_is_not_utf8_is_a_problem_and_the_good_record_still_arrives(string field)
    {
        var bad = Encoding.UTF8.GetBytes(Record("00000000-0000-7000-8000-000000000001", 1)).ToList();
        var at = bad.IndexOf((byte)'"', IndexOfValue(bad, $"\"{field}\":\"") + field.Length + 4);
        bad.Insert(at, 0xC3); // a UTF-8 lead byte with nothing after it
        byte[] payload = [.. "{\"records\":["u8, .. bad, (byte)',', .. Encoding.UTF8.GetBytes(Record("00000000-0000-7000-8000-000000000002", 2)), .. "]}"u8];

        var batch = RecordBatchReader.Read(Topic, payload);

        Assert.That(batch.Records.Select(r => r.Seq), Is.EqualTo(new[] { 2L }));
        Assert.That(batch.Problems.Single(), Does.Contain($"'{field}' is not valid UTF-8 text"));
    }

    [Test]
    public void A_record_whose_body_is_not_utf8_is_a_problem_and_the_good_record_still_arrives()
    {
        var bad = Record("00000000-0000-7000-8000-000000000001", 1).Replace("\"body\":{}", "\"body\":{\"note\":\"x\"}", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(bad);
        bytes[Array.IndexOf(bytes, (byte)'x')] = 0x93; // a UTF-8 continuation byte on its own
        byte[] payload = [.. "{\"records\":["u8, .. bytes, (byte)',', .. Encoding.UTF8.GetBytes(Record("00000000-0000-7000-8000-000000000002", 2)), .. "]}"u8];

        var batch = RecordBatchReader.Read(Topic, payload);

        Assert.That(batch.Records.Select(r => r.Seq), Is.EqualTo(new[] { 2L }));
        Assert.That(batch.Problems.Single(), Does.Contain("not UTF-8"));
    }

    private static int IndexOfValue(List<byte> bytes, string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        for (var i = 0; i + needle.Length <= bytes.Count; i++)
        {
            if (bytes.Skip(i).Take(needle.Length).SequenceEqual(needle))
            {
                return i;
            }
        }

        throw new ArgumentException(text);
    }

    private static string Record(string recordId, long seq) =>
        $$"""{"recordId":"{{recordId}}","seq":{{seq}},"kind":"checkin","schemaVersion":1,"priority":1,"createdAt":"2025-03-01T08:00:00.000Z","monotonicMs":5,"bootId":"00000000-0000-4000-8000-000000000000","body":{},"attachments":[{"attachmentId":"photo","contentType":"image/jpeg","length":10,"sha256":"{{new string('a', 64)}}","chunkSize":10,"chunkCount":1}]}""";
}
