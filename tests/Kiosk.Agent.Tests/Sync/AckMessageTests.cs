using System.Buffers;
using System.Text;
using Kiosk.Agent.Sync;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// Hostile acks found by fuzzing (fuzz/regressions/ack): an ack whose strings are not text is a malformed ack, counted
/// and logged by AckProcessor, never an exception on MQTTnet's receive loop.
/// </summary>
[TestFixture]
public sealed class AckMessageTests
{
    [TestCase("recordIds")]
    [TestCase("platformTime")]
    [TestCase("retry")]
    public void A_string_that_is_not_utf8_makes_a_malformed_ack_not_an_exception(string where)
    {
        var payload = where switch
        {
            "recordIds" => Bytes("""{"recordIds":["01934f6e-"""u8, 0x80, "\"]}"u8),
            "platformTime" => Bytes("""{"recordIds":[],"platformTime":"2025-03"""u8, 0xC1, "\"}"u8),
            _ => Bytes("""{"recordIds":[],"retry":[{"recordId":"a","attachmentId":"ph"""u8, 0xFF, "\"}]}"u8),
        };

        var ack = AckMessage.TryParse(new ReadOnlySequence<byte>(payload), out var error);

        Assert.That(ack, Is.Null);
        Assert.That(error, Does.Contain("not valid Unicode"));
    }

    [Test]
    public void An_escaped_half_surrogate_pair_makes_a_malformed_ack_not_an_exception()
    {
        var ack = AckMessage.TryParse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes("""{"recordIds":["\ud800"]}""")), out var error);

        Assert.That(ack, Is.Null);
        Assert.That(error, Does.Contain("not valid Unicode"));
    }

    [Test]
    public void A_valid_ack_still_parses()
    {
        var ack = AckMessage.TryParse(new ReadOnlySequence<byte>("""{"recordIds":["r1","r2"],"platformTime":"2025-03-01T08:00:00Z"}"""u8.ToArray()), out var error);

        Assert.That(error, Is.Null);
        Assert.That(ack!.RecordIds, Is.EqualTo(new[] { "r1", "r2" }));
    }

    private static byte[] Bytes(ReadOnlySpan<byte> before, byte invalid, ReadOnlySpan<byte> after) => [.. before, invalid, .. after];
}
