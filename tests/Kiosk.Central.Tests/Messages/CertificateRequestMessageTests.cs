using System.Text;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Tests.Messages;

/// <summary>
/// A kiosk's certificate request as the platform reads it: text that is not UTF-8, or a \u escape of half a surrogate
/// pair, is a refusal naming the field, never an exception (found by the fuzz target certificate-request).
/// </summary>
public sealed class CertificateRequestMessageTests
{
    private const string Csr = "-----BEGIN CERTIFICATE REQUEST-----";

    [TestCase("""{"requestId":"\ud800","csr":"CSR"}""", "'requestId'")]
    [TestCase("""{"requestId":"r-1","csr":"CSR\udc00"}""", "'csr'")]
    [TestCase("""{"requestId":"r-1","csr":"CSR","reason":"\udfff"}""", "'reason'")]
    [TestCase("""{"requestId":"r-1","csr":"CSR","currentThumbprint":"\ud800"}""", "'currentThumbprint'")]
    public void A_request_with_half_a_surrogate_pair_is_refused_naming_the_field(string body, string field)
    {
        var parsed = CertificateRequestMessage.TryParse(Encoding.UTF8.GetBytes(body.Replace("CSR", Csr, StringComparison.Ordinal)), out var message, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(message, Is.Null);
        Assert.That(error, Does.Contain(field));
    }

    [Test]
    public void A_request_parses()
    {
        Assert.That(CertificateRequestMessage.TryParse(Encoding.UTF8.GetBytes($$"""{"requestId":"r-1","csr":"{{Csr}}","reason":"expiring"}"""), out var message, out var error), Is.True, error);
        Assert.That(message!.Reason, Is.EqualTo("expiring"));
    }
}
