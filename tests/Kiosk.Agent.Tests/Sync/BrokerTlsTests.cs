using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Sync;
using Kiosk.TestSupport;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// <see cref="BrokerTls"/>'s check of the broker's certificate, called as the TLS layer calls it: the presented certificate,
/// the chain carrying what the broker sent, and the layer's own findings (of which only the name counts).
/// </summary>
public sealed class BrokerTlsTests
{
    private const SslPolicyErrors UntrustedBySystem = SslPolicyErrors.RemoteCertificateChainErrors;

    private TempFolder _folder = null!;
    private TestPki _pki = null!;
    private (string CertFile, string KeyFile) _kiosk;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("broker-tls");
        _pki = new TestPki(_folder.Path, "Kiosk Platform CA");
        _kiosk = _pki.IssueClient("kiosk-t");
    }

    [TearDown]
    public void TearDown()
    {
        _pki.Dispose();
        _folder.Dispose();
    }

    private BrokerTls Tls(string caFile, string brokerHost = "127.0.0.1") =>
        new(new TlsOptions { Enabled = true, CaFile = caFile, ClientCertificateFile = _kiosk.CertFile, ClientKeyFile = _kiosk.KeyFile }, brokerHost, _folder.Path);

    private static X509Chain Sent(params X509Certificate2[] certificates)
    {
        var chain = new X509Chain();
        chain.ChainPolicy.ExtraStore.AddRange(certificates);
        return chain;
    }

    [Test]
    public void A_server_certificate_from_the_CA_file_naming_the_broker_is_accepted()
    {
        using var tls = Tls(_pki.CaFile);
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "broker", [BrokerCertificates.ServerAuth]);
        Assert.That(tls.Refusal(leaf, null, UntrustedBySystem), Is.Null);
        Assert.That(tls.Validate(leaf, null, UntrustedBySystem), Is.True);
    }

    [Test]
    public void Every_CA_of_a_rotation_bundle_is_a_root_whatever_its_place_in_the_file()
    {
        using var next = new TestPki(_folder.Path, "Kiosk Platform CA 2");
        using var fromOld = BrokerCertificates.Leaf(_pki.Ca, "broker", [BrokerCertificates.ServerAuth]);
        using var fromNew = BrokerCertificates.Leaf(next.Ca, "broker", [BrokerCertificates.ServerAuth]);
        using var tls = Tls(BrokerCertificates.WriteBundle(_folder.Path, "rotation", _pki.Ca, next.Ca));
        Assert.Multiple(() =>
        {
            Assert.That(tls.Refusal(fromOld, null, UntrustedBySystem), Is.Null);
            Assert.That(tls.Refusal(fromNew, null, UntrustedBySystem), Is.Null);
        });
    }

    [Test]
    public void A_kiosk_certificate_for_the_brokers_address_is_refused_as_not_a_server_certificate()
    {
        using var tls = Tls(_pki.CaFile);
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "kiosk-site-t-kiosk-9", [BrokerCertificates.ClientAuth]);
        Assert.That(tls.Validate(leaf, null, UntrustedBySystem), Is.False);
        Assert.That(tls.Refusal(leaf, null, UntrustedBySystem), Does.Contain("is not for TLS server authentication"));
    }

    [Test]
    public void A_certificate_for_server_and_client_authentication_is_a_server_certificate()
    {
        using var tls = Tls(_pki.CaFile);
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "broker", [BrokerCertificates.ClientAuth, BrokerCertificates.ServerAuth]);
        Assert.That(tls.Refusal(leaf, null, UntrustedBySystem), Is.Null);
    }

    [Test]
    public void A_certificate_without_extended_key_usage_is_refused()
    {
        using var tls = Tls(_pki.CaFile);
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "broker", usages: null);
        Assert.That(tls.Refusal(leaf, null, UntrustedBySystem), Does.Contain("has no extended key usage"));
    }

    [Test]
    public void A_server_certificate_from_a_CA_allowed_only_to_issue_kiosk_certificates_is_refused()
    {
        using var kioskCa = BrokerCertificates.IntermediateCa(_pki.Ca, "Kiosk Device CA", [BrokerCertificates.ClientAuth]);
        using var leaf = BrokerCertificates.Leaf(kioskCa, "broker", [BrokerCertificates.ServerAuth]);
        using var tls = Tls(_pki.CaFile);
        using var sent = Sent(kioskCa);
        Assert.That(tls.Refusal(leaf, sent, UntrustedBySystem), Does.Contain("not allowed to issue TLS server certificates"));
    }

    [Test]
    public void An_intermediate_links_the_chain_from_the_CA_file_or_from_the_broker_and_only_then()
    {
        using var intermediate = BrokerCertificates.IntermediateCa(_pki.Ca, "Kiosk Broker Issuing CA");
        using var leaf = BrokerCertificates.Leaf(intermediate, "broker", [BrokerCertificates.ServerAuth]);
        using var rootOnly = Tls(_pki.CaFile);
        using var withIntermediate = Tls(BrokerCertificates.WriteBundle(_folder.Path, "root-and-intermediate", _pki.Ca, intermediate));
        using var sent = Sent(intermediate);
        Assert.Multiple(() =>
        {
            Assert.That(rootOnly.Refusal(leaf, sent, UntrustedBySystem), Is.Null, "sent by the broker");
            Assert.That(withIntermediate.Refusal(leaf, null, UntrustedBySystem), Is.Null, "in the CA file");
            Assert.That(rootOnly.Refusal(leaf, null, UntrustedBySystem), Does.Contain("does not chain to a root CA").And.Contain("PartialChain"), "in neither");
        });
    }

    [Test]
    public void An_intermediate_alone_in_the_CA_file_is_not_a_root()
    {
        using var intermediate = BrokerCertificates.IntermediateCa(_pki.Ca, "Kiosk Broker Issuing CA");
        using var leaf = BrokerCertificates.Leaf(intermediate, "broker", [BrokerCertificates.ServerAuth]);
        using var tls = Tls(BrokerCertificates.WriteBundle(_folder.Path, "intermediate-only", intermediate));
        Assert.That(tls.Validate(leaf, null, UntrustedBySystem), Is.False);
    }

    [Test]
    public void A_root_the_broker_sends_along_is_never_trusted()
    {
        using var otherFolder = new TempFolder("impostor");
        using var impostor = new TestPki(otherFolder.Path, "Kiosk Platform CA");
        using var leaf = BrokerCertificates.Leaf(impostor.Ca, "broker", [BrokerCertificates.ServerAuth]);
        using var tls = Tls(_pki.CaFile);
        using var sent = Sent(impostor.Ca);

        // Same name as the platform's CA, another key: the broker's own root proves nothing.
        Assert.That(tls.Refusal(leaf, sent, UntrustedBySystem), Does.Contain("does not chain to a root CA in Kiosk:Sync:Tls:CaFile"));
    }

    [Test]
    public void A_certificate_for_another_name_is_refused_and_an_IP_address_entry_matching_the_broker_is_not()
    {
        using var other = BrokerCertificates.Leaf(_pki.Ca, "broker", [BrokerCertificates.ServerAuth], ["broker.other-site.example"], loopback: false);
        using var byAddress = BrokerCertificates.Leaf(_pki.Ca, "broker", [BrokerCertificates.ServerAuth]);
        using var tls = Tls(_pki.CaFile);
        const SslPolicyErrors mismatch = UntrustedBySystem | SslPolicyErrors.RemoteCertificateNameMismatch;
        Assert.Multiple(() =>
        {
            Assert.That(tls.Refusal(other, null, mismatch), Does.Contain("is for 'broker.other-site.example', not '127.0.0.1'"));
            Assert.That(tls.Refusal(byAddress, null, mismatch), Is.Null, "the TLS layer reports a mismatch for IP targets even when the address entry matches");
        });
    }

    [Test]
    public void What_a_rogue_broker_writes_in_its_certificate_reaches_the_log_without_control_characters()
    {
        // Escape sequences that would clear the technician's terminal, a forged log line, and a right-to-left override.
        const string Name = "broker\u001b[2J\u001b]0;ok\u0007\r\nkiosk-agent: connected\u202Etxt.exe";
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, Name, [BrokerCertificates.ClientAuth]);
        using var tls = Tls(_pki.CaFile);

        var refusal = tls.Refusal(leaf, null, UntrustedBySystem);
        Assert.That(refusal, Does.Contain("'CN=\"broker?[2J?]0;ok???kiosk-agent: connected?txt.exe\"'"));
        Assert.That(refusal!.Where(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format), Is.Empty);
    }

    [Test]
    public void An_expired_broker_certificate_is_refused_with_its_dates()
    {
        // Within the test CA's own validity, which starts a day ago.
        var from = DateTimeOffset.UtcNow.AddHours(-20);
        var to = from.AddHours(10);
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "broker", [BrokerCertificates.ServerAuth], notBefore: from, notAfter: to);
        using var tls = Tls(_pki.CaFile);
        Assert.That(tls.Refusal(leaf, null, UntrustedBySystem), Does.Contain(FormattableString.Invariant($"to {to:yyyy-MM-dd HH:mm} UTC")).And.Contain("clock"));
    }

    [Test]
    public void A_missing_certificate_is_refused()
    {
        using var tls = Tls(_pki.CaFile);
        Assert.That(tls.Validate(null, null, SslPolicyErrors.RemoteCertificateNotAvailable), Is.False);
    }

    [TestCase("")]
    [TestCase("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n")]
    public void A_CA_file_without_a_certificate_stops_the_agent_naming_the_key_and_the_fix(string content)
    {
        var caFile = _folder.File("no-certificate.pem");
        File.WriteAllText(caFile, content);

        var error = Assert.Throws<OptionsValidationException>(() => Tls(caFile).Dispose());
        Assert.That(error!.Message, Does.Contain($"Kiosk:Sync:Tls:CaFile '{caFile}' holds no certificate").And.Contain("kioskctl enroll --ca"));
    }

    [Test]
    public async Task An_agent_whose_CA_file_has_no_certificate_does_not_start_and_says_why()
    {
        var caFile = _folder.File("empty-ca.pem");
        await File.WriteAllTextAsync(caFile, "");
        await using var agent = MutualTlsAgent.Create(FreePort.Next(), _folder.File("agent"), caFile, _kiosk.CertFile, _kiosk.KeyFile);

        // The host turns this exception into exit code 78 with every message printed (agent/Kiosk.Agent/Hosting/AgentRun.cs).
        var error = Assert.ThrowsAsync<OptionsValidationException>(agent.StartAsync);
        Assert.That(error!.Failures, Has.Some.Contain("Kiosk:Sync:Tls:CaFile").And.Some.Contain("holds no certificate"));
    }
}
