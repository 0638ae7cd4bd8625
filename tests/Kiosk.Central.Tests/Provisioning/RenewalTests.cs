using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Central.Messages;
using Kiosk.Central.Provisioning;
using Kiosk.Central.Tests.Schemas;
using Kiosk.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Central.Tests.Provisioning;

/// <summary>
/// The platform's checks of a certificate renewal request (docs/mqtt-contract.md, "Certificate renewal"): it issues for exactly
/// the kiosk whose topic the request came on, for the key that signed the request, and says why when it does not.
/// </summary>
public sealed class RenewalTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 9, 0, 0, TimeSpan.Zero);

    private TempFolder _folder = null!;
    private FakeTimeProvider _time = null!;
    private EnrollmentTokenStore _tokens = null!;
    private EnrollmentAuthority _authority = null!;
    private SimulatorPkiFiles _pki = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("central-renewal");
        _time = new FakeTimeProvider(Now);
        _pki = SimulatorPki.Create(_folder.File("pki"), _time);
        _tokens = new EnrollmentTokenStore(_folder.File("central.db"));
        _authority = new EnrollmentAuthority(new ProvisioningOptions { CaCertificateFile = _pki.CaCertificateFile, CaKeyFile = _pki.CaKeyFile, CommandSigningKeyFile = _pki.CommandSigningKeyFile, CertificateLifetime = TimeSpan.FromDays(90) }, _tokens, _time);
    }

    [TearDown]
    public void TearDown()
    {
        _authority.Dispose();
        _tokens.Dispose();
        _folder.Dispose();
    }

    private static string Csr(ECDsa key, string subject) => new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

    [Test]
    public void A_request_in_the_kiosks_own_name_gets_a_client_certificate_for_its_key_without_a_token()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        _time.Advance(TimeSpan.FromDays(200));

        var outcome = _authority.Renew("site-a", "kiosk-1", Csr(key, "CN=kiosk-site-a-kiosk-1"));

        Assert.That(outcome.CertificatePem, Is.Not.Null, outcome.Message);
        using var certificate = X509Certificate2.CreateFromPem(outcome.CertificatePem!);
        using var issued = certificate.GetECDsaPublicKey()!;
        Assert.Multiple(() =>
        {
            Assert.That(certificate.Subject, Is.EqualTo("CN=kiosk-site-a-kiosk-1"));
            Assert.That(issued.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()));
            Assert.That(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value, Is.EqualTo("1.3.6.1.5.5.7.3.2"));
            Assert.That(new DateTimeOffset(certificate.NotAfter.ToUniversalTime()), Is.EqualTo(_time.GetUtcNow() + TimeSpan.FromDays(90)).Within(TimeSpan.FromSeconds(1)), "lifetime from the platform clock");
        });
    }

    [Test]
    public void A_request_that_does_not_fit_the_asking_kiosk_is_refused_saying_why()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var small = ECDsa.Create(ECCurve.NamedCurves.nistP521);
        var good = Csr(key, "CN=kiosk-site-a-kiosk-1");

        // A request whose signature is not by the key it carries: its body taken from one, its key from another.
        var signedByOther = new CertificateRequest("CN=kiosk-site-a-kiosk-1", key, HashAlgorithmName.SHA256).CreateSigningRequest(X509SignatureGenerator.CreateForECDsa(other));
        var forgedPem = PemEncoding.WriteString("CERTIFICATE REQUEST", signedByOther);

        var cases = new (string What, EnrollmentOutcome Outcome, string Error, string Says)[]
        {
            ("another kiosk's name", _authority.Renew("site-a", "kiosk-1", Csr(key, "CN=kiosk-site-a-kiosk-2")), EnrollmentErrors.IdentityMismatch, "is not CN=kiosk-site-a-kiosk-1"),
            ("an extra name part", _authority.Renew("site-a", "kiosk-1", Csr(key, "CN=kiosk-site-a-kiosk-1, CN=kiosk-site-a-kiosk-2")), EnrollmentErrors.IdentityMismatch, "is not CN="),
            ("signed by another key", _authority.Renew("site-a", "kiosk-1", forgedPem), EnrollmentErrors.CsrInvalid, "signature verifies"),
            ("not a request", _authority.Renew("site-a", "kiosk-1", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"), EnrollmentErrors.CsrInvalid, "PKCS#10"),
            ("a P-521 key", _authority.Renew("site-a", "kiosk-1", Csr(small, "CN=kiosk-site-a-kiosk-1")), EnrollmentErrors.CsrInvalid, "521 bits"),
            ("an id that is no id", _authority.Renew("site-a", "kiosk/1", good), EnrollmentErrors.Malformed, "must match"),
        };
        Assert.Multiple(() =>
        {
            foreach (var (what, outcome, error, says) in cases)
            {
                Assert.That(outcome.CertificatePem, Is.Null, what);
                Assert.That(outcome.ErrorCode, Is.EqualTo(error), what);
                Assert.That(outcome.Message, Does.Contain(says), what);
            }
        });
    }

    [Test]
    public void The_request_message_is_read_strictly_and_garbage_never_throws()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var good = new JsonObject { ["requestId"] = "r-1", ["csr"] = Csr(key, "CN=kiosk-a-b"), ["reason"] = "expiry", ["currentThumbprint"] = new string('A', 64), ["currentNotAfter"] = "2026-12-28T09:00:00.000Z" };
        Assert.That(CertificateRequestMessage.TryParse(Encoding.UTF8.GetBytes(good.ToJsonString()), out var message, out var error), Is.True, error);
        Assert.That(message!.RequestId, Is.EqualTo("r-1"));
        var schema = ContractSchemas.Load("certificate-request.schema.json");
        Assert.That(schema.Evaluate(good, ContractSchemas.Options).IsValid, Is.True);

        var broken = new Dictionary<string, Action<JsonObject>>
        {
            ["no requestId"] = r => r.Remove("requestId"),
            ["requestId with a slash"] = r => r["requestId"] = "a/b",
            ["no csr"] = r => r.Remove("csr"),
            ["csr not PEM"] = r => r["csr"] = "MIIB",
            ["thumbprint not hex"] = r => r["currentThumbprint"] = "xyz",
            ["reason with a control character"] = r => r["reason"] = "command: a\u0001",
        };
        foreach (var (what, breakIt) in broken)
        {
            var request = (JsonObject)good.DeepClone();
            breakIt(request);
            Assert.That(CertificateRequestMessage.TryParse(Encoding.UTF8.GetBytes(request.ToJsonString()), out _, out var problem), Is.False, what);
            Assert.That(problem, Is.Not.Empty, what);
            Assert.That(schema.Evaluate(request, ContractSchemas.Options).IsValid, Is.False, what + " (schema)");
        }

        var random = new Random(5);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            Assert.DoesNotThrow(() => CertificateRequestMessage.TryParse(bytes, out _, out _));
        }

        Assert.That(CertificateRequestMessage.TryParse(Encoding.UTF8.GetBytes(new string('[', 10_000)), out _, out _), Is.False, "deep nesting");
        Assert.That(CertificateRequestMessage.TryParse(new byte[CertificateRequestMessage.MaxBytes + 1], out _, out var tooBig), Is.False);
        Assert.That(tooBig, Does.Contain("at most"));
    }
}
