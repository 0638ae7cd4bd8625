using System.Text;
using Kiosk.Ctl.Enrollment;

namespace Kiosk.Ctl.Tests;

/// <summary>Hostile enrollment and time replies found by fuzzing (fuzz/regressions/enrollment-reply): not a reply, never an exception.</summary>
[TestFixture]
public sealed class EnrollmentReplyTests
{
    [Test]
    public void A_reply_whose_certificate_is_not_utf8_is_not_a_reply()
    {
        byte[] payload = [.. """{"certificate":"-----BEGIN"""u8, 0xFF, .. "\",\"caChain\":\"c\",\"commandSigningKey\":\"k\"}"u8];

        Assert.That(EnrollmentReply.Read(payload), Is.Null);
    }

    [Test]
    public void A_time_reply_with_a_key_that_is_not_utf8_has_no_platform_time()
    {
        byte[] payload = [.. """{"platformTime":"2025-03-01T08:00:00Z","x"""u8, 0xD2, .. "\":1}"u8];

        Assert.That(EnrollmentReply.ReadPlatformTime(payload), Is.Null);
        Assert.That(EnrollmentReply.Read(payload), Is.Null);
    }

    [Test]
    public void A_reply_that_names_a_field_twice_is_not_a_reply()
    {
        var payload = """{"certificate":"a","caChain":"b","caChain":"c","commandSigningKey":"k"}"""u8.ToArray();

        Assert.That(EnrollmentReply.Read(payload), Is.Null);
        Assert.That(EnrollmentReply.ReadPlatformTime("""{"platformTime":"2025-03-01T08:00:00Z","platformTime":"2030-01-01T00:00:00Z"}"""u8.ToArray()), Is.Null);
    }

    [Test]
    public void A_reply_with_an_escaped_half_surrogate_pair_as_a_name_is_not_a_reply()
    {
        var payload = Encoding.UTF8.GetBytes("""{"error":"token-used","\ud800":1}""");

        Assert.That(EnrollmentReply.Read(payload), Is.Null);
        Assert.That(EnrollmentReply.ReadPlatformTime(payload), Is.Null);
    }

    [Test]
    public void An_error_with_an_escaped_half_surrogate_pair_is_read_without_its_message()
    {
        var reply = EnrollmentReply.Read(Encoding.UTF8.GetBytes("""{"error":"token-used","message":"\udc00"}"""));

        Assert.That(reply!.Error, Is.EqualTo("token-used"));
        Assert.That(reply.Message, Is.Null);
    }
}
