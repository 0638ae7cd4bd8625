using System.Text;
using Kiosk.Agent.Control.Commands;

namespace Kiosk.Agent.Tests.Control;

/// <summary>
/// System.Text.Json parses a string that is not UTF-8, or a \u escape of half a surrogate pair, and throws only when it is
/// read. The signed command bodies' parsers promise never to throw (found by the fuzz targets cmd-roster, cmd-policy,
/// cmd-certificate and cmd-renew-certificate): such text is a refusal that says where, never an exception.
/// </summary>
public sealed class BrokenTextTests
{
    private static readonly string Hash = new('a', 64);

    [TestCase("""{"mode":"full","version":1,"people":[{"personId":"p-1","idNumberHash":"HASH","maskedName":"\ud800*","supervisionLevel":"normal"}]}""", "people[0].maskedName")]
    [TestCase("""{"mode":"full","version":1,"people":[{"\udc00":1}]}""", "people[0]")]
    [TestCase("""{"mode":"delta","version":2,"baseVersion":1,"remove":["\ud800"]}""", "remove[0]")]
    public void A_roster_with_half_a_surrogate_pair_is_refused_naming_where(string body, string where)
    {
        var parsed = RosterCommand.TryParse(Encoding.UTF8.GetBytes(body.Replace("HASH", Hash, StringComparison.Ordinal)), out var update, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(update, Is.Null);
        Assert.That(error, Does.StartWith(where + ": holds text that is not UTF-8"));
    }

    [Test]
    public void A_roster_with_bytes_that_are_not_utf8_is_refused()
    {
        var body = Encoding.UTF8.GetBytes("""{"mode":"full","version":1,"people":[{"personId":"p-1","maskedName":"X*"}]}""");
        body[Array.IndexOf(body, (byte)'X')] = 0xff;

        Assert.That(RosterCommand.TryParse(body, out _, out var error), Is.False);
        Assert.That(error, Does.StartWith("people[0].maskedName: holds text that is not UTF-8"));
    }

    [TestCase("""{"version":1,"levels":{"\udc00":{}}}""", "levels")]
    [TestCase("""{"version":1,"levels":{"normal":{"steps":["idCard"],"questions":[{"id":"q","text":{"zh-CN":"\ud800","en":"x"}}]}}}""", "levels.normal.questions[0].text.zh-CN")]
    public void A_policy_with_half_a_surrogate_pair_is_refused_naming_where(string body, string where)
    {
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(body), out var policy, out var error), Is.False);
        Assert.That(policy, Is.Null);
        Assert.That(error, Does.StartWith(where + ": holds text that is not UTF-8"));
    }

    [TestCase("""{"requestId":"\ud800","error":"x"}""")]
    [TestCase("""{"requestId":"r-1","error":"\udc00"}""")]
    [TestCase("""{"requestId":"r-1","error":"csrRejected","message":"\ud800"}""")]
    [TestCase("""{"requestId":"r-1","certificate":"-----BEGIN CERTIFICATE-----\ud800"}""")]
    public void A_certificate_reply_with_half_a_surrogate_pair_is_not_a_reply(string body)
    {
        Assert.That(CertificateReply.TryParse(Encoding.UTF8.GetBytes(body), out var reply, out var error), Is.False);
        Assert.That(reply, Is.Null);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void A_renewal_reason_with_half_a_surrogate_pair_is_refused()
    {
        Assert.That(RenewCertificateArguments.TryParse("""{"reason":"\ud800"}"""u8, out var arguments, out var error), Is.False);
        Assert.That(arguments, Is.Null);
        Assert.That(error, Does.Contain("'reason'"));
    }
}
