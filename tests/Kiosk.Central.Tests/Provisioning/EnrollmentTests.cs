using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Central.Provisioning;
using Kiosk.Central.Tests.Schemas;
using Kiosk.Central.Tests.Support;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests.Provisioning;

/// <summary>
/// Enrollment against the simulator through a real Mosquitto's provisioning listener (TLS, no client certificate,
/// ACL): one-time tokens bound to a kiosk, CSR checks, and the issued certificate (docs/mqtt-contract.md, "Provisioning").
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EnrollmentTests
{
    private const string Site = "site-enroll";

    private TempFolder _folder = null!;
    private SimulatorPkiFiles _pki = null!;
    private MosquittoBroker _broker = null!;
    private CentralUnderTest _central = null!;
    private X509Certificate2 _ca = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = new TempFolder("central-enroll");
        _pki = SimulatorPki.Create(Path.Combine(_folder.Path, "pki"));
        _ca = X509CertificateLoader.LoadCertificateFromFile(_pki.CaCertificateFile);
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaCertificateFile, _pki.BrokerCertificateFile, _pki.BrokerKeyFile);
        _central = await CentralUnderTest.StartAsync(_broker, _folder.File("central.db"), "central-enroll-" + Guid.NewGuid().ToString("N"), o =>
        {
            o.Provisioning.CaCertificateFile = _pki.CaCertificateFile;
            o.Provisioning.CaKeyFile = _pki.CaKeyFile;
            o.Provisioning.CommandSigningKeyFile = _pki.CommandSigningKeyFile;
            o.Provisioning.CertificateLifetime = TimeSpan.FromDays(30);
            o.Provisioning.AclFile = _folder.File("kiosks.acl");
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _ca.Dispose();
        _folder.Dispose();
    }

    private Task<ProvisioningClient> ConnectAsync() => ProvisioningClient.ConnectAsync(_broker.ProvisioningPort, _pki.CaCertificateFile);

    private static string Kiosk() => "k-" + Guid.NewGuid().ToString("N")[..8];

    [Test]
    public async Task A_valid_token_and_request_get_a_client_certificate_for_the_request_key_that_chains_to_the_CA()
    {
        var kiosk = Kiosk();
        var token = _central.Platform.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var client = await ConnectAsync();

        var reply = await client.EnrollAsync(Site, kiosk, token, KioskRequests.Csr(key, KioskRequests.CommonName(Site, kiosk)));

        Assert.That(reply["error"], Is.Null, reply.ToJsonString());
        using var certificate = X509Certificate2.CreateFromPem((string)reply["certificate"]!);
        Assert.That(certificate.PublicKey.ExportSubjectPublicKeyInfo(), Is.EqualTo(key.ExportSubjectPublicKeyInfo()), "the request's public key");
        Assert.That(certificate.GetNameInfo(X509NameType.SimpleName, false), Is.EqualTo(KioskRequests.CommonName(Site, kiosk)));
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.That(usages, Is.EqualTo(new[] { "1.3.6.1.5.5.7.3.2" }), "clientAuth only");
        Assert.That(certificate.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority, Is.False);
        Assert.That(certificate.NotAfter.ToUniversalTime(), Is.EqualTo(DateTime.UtcNow.AddDays(30)).Within(TimeSpan.FromMinutes(1)), "the configured lifetime");
        Assert.That(certificate.NotBefore.ToUniversalTime(), Is.LessThan(DateTime.UtcNow.AddMinutes(-4)), "backdated for small clock differences");

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        Assert.That(chain.Build(certificate), Is.True, string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));

        using var caChain = X509Certificate2.CreateFromPem((string)reply["caChain"]!);
        Assert.That(caChain.Thumbprint, Is.EqualTo(_ca.Thumbprint));
        using var signing = ECDsa.Create();
        signing.ImportFromPem(File.ReadAllText(_pki.CommandSigningKeyFile));
        Assert.That((string)reply["commandSigningKey"]!, Is.EqualTo(signing.ExportSubjectPublicKeyInfoPem() + "\n"), "the public half of the command-signing key");
        Assert.That(DateTimeOffset.Parse((string)reply["platformTime"]!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        AssertValid("provisioning-enroll-reply.schema.json", reply);
    }

    [Test]
    public async Task A_token_is_spent_by_its_certificate_and_refused_with_tokenUsed_afterwards()
    {
        var kiosk = Kiosk();
        var token = _central.Platform.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
        await using var client = await ConnectAsync();
        using var first = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.That((await client.EnrollAsync(Site, kiosk, token, KioskRequests.Csr(first, KioskRequests.CommonName(Site, kiosk))))["certificate"], Is.Not.Null);

        using var second = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var again = await client.EnrollAsync(Site, kiosk, token.ToLowerInvariant(), KioskRequests.Csr(second, KioskRequests.CommonName(Site, kiosk)));

        Assert.That((string?)again["error"], Is.EqualTo("tokenUsed"), again.ToJsonString());
        Assert.That(again["certificate"], Is.Null);
        Assert.That((string?)again["message"], Does.Contain("already used"));
        AssertValid("provisioning-enroll-reply.schema.json", again);
    }

    [Test]
    public async Task An_unknown_token_is_refused_with_tokenUnknown()
    {
        var kiosk = Kiosk();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var client = await ConnectAsync();
        var reply = await client.EnrollAsync(Site, kiosk, "AAAAAAAAAAAAAAAAAAAAAAAAAA", KioskRequests.Csr(key, KioskRequests.CommonName(Site, kiosk)));
        Assert.That((string?)reply["error"], Is.EqualTo("tokenUnknown"), reply.ToJsonString());
    }

    [Test]
    public async Task A_request_signed_by_another_key_is_refused_with_csrInvalid_and_does_not_spend_the_token()
    {
        var kiosk = Kiosk();
        var token = _central.Platform.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
        using var claimed = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var client = await ConnectAsync();

        var forged = await client.EnrollAsync(Site, kiosk, token, KioskRequests.CsrSignedByAnotherKey(claimed, signer, KioskRequests.CommonName(Site, kiosk)));
        Assert.That((string?)forged["error"], Is.EqualTo("csrInvalid"), forged.ToJsonString());
        Assert.That(forged["certificate"], Is.Null);

        var genuine = await client.EnrollAsync(Site, kiosk, token, KioskRequests.Csr(signer, KioskRequests.CommonName(Site, kiosk)));
        Assert.That(genuine["certificate"], Is.Not.Null, "a refusal leaves the token usable: " + genuine.ToJsonString());
    }

    [Test]
    public async Task A_token_for_another_kiosk_or_a_request_for_another_name_is_refused_with_identityMismatch()
    {
        var kiosk = Kiosk();
        var other = Kiosk();
        var tokenForOther = _central.Platform.IssueEnrollmentToken(Site, other, TimeSpan.FromHours(1));
        var token = _central.Platform.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var client = await ConnectAsync();

        var wrongToken = await client.EnrollAsync(Site, kiosk, tokenForOther, KioskRequests.Csr(key, KioskRequests.CommonName(Site, kiosk)));
        var wrongName = await client.EnrollAsync(Site, kiosk, token, KioskRequests.Csr(key, KioskRequests.CommonName(Site, other)));

        Assert.That((string?)wrongToken["error"], Is.EqualTo("identityMismatch"), wrongToken.ToJsonString());
        Assert.That((string?)wrongToken["message"], Does.Contain(other));
        Assert.That((string?)wrongName["error"], Is.EqualTo("identityMismatch"), wrongName.ToJsonString());
        Assert.That((string?)wrongName["message"], Does.Contain("CN=" + KioskRequests.CommonName(Site, kiosk)));
    }

    [Test]
    public async Task Malformed_requests_get_an_error_answer_and_the_simulator_keeps_serving()
    {
        var kiosk = Kiosk();
        var enroll = $"kiosk/v1/provisioning/{Site}/{kiosk}/enroll";
        await using var client = await ConnectAsync();
        var malformedBefore = _central.Platform.Counts.MalformedMessages;

        foreach (var payload in new[] { "not json", "[1, 2]", "{\"token\": 5, \"csr\": \"x\"}", "{\"token\": \"ABC\"}" })
        {
            var reply = JsonNode.Parse(await client.RequestAsync(enroll, $"kiosk/v1/provisioning/{Site}/{kiosk}/reply/{ProvisioningClient.NewReplyId()}", Encoding.UTF8.GetBytes(payload)))!.AsObject();
            Assert.That((string?)reply["error"], Is.EqualTo("malformed"), payload);
            AssertValid("provisioning-enroll-reply.schema.json", reply);
        }

        using var garbage = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = _central.Platform.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
        var notPem = await client.EnrollAsync(Site, kiosk, token, "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n");
        Assert.That((string?)notPem["error"], Is.EqualTo("csrInvalid"));

        var served = await client.EnrollAsync(Site, kiosk, token, KioskRequests.Csr(garbage, KioskRequests.CommonName(Site, kiosk)));
        Assert.That(served["certificate"], Is.Not.Null, served.ToJsonString());
        Assert.That(_central.Platform.Counts.MalformedMessages, Is.EqualTo(malformedBefore + 4));
    }

    [Test]
    public async Task An_enrolled_kiosk_gets_its_broker_ACL_block_once()
    {
        var kiosk = Kiosk();
        await using var client = await ConnectAsync();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        foreach (var _ in new[] { 1, 2 })
        {
            var token = _central.Platform.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
            var reply = await client.EnrollAsync(Site, kiosk, token, KioskRequests.Csr(key, KioskRequests.CommonName(Site, kiosk)));
            Assert.That(reply["certificate"], Is.Not.Null, reply.ToJsonString());
        }

        var acl = File.ReadAllText(_folder.File("kiosks.acl"));
        Assert.That(acl, Does.Contain(BrokerAcl.ForKiosk(Site, kiosk)), "the kiosk's whole block");
        Assert.That(acl.Split('\n').Count(line => line == $"user kiosk-{Site}-{kiosk}"), Is.EqualTo(1), "enrolled twice, one block");
    }

    [Test]
    public async Task A_request_whose_response_topic_is_outside_its_reply_namespace_is_not_answered()
    {
        var kiosk = Kiosk();
        var token = _central.Platform.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var payload = Encoding.UTF8.GetBytes(new JsonObject { ["token"] = token, ["csr"] = KioskRequests.Csr(key, KioskRequests.CommonName(Site, kiosk)) }.ToJsonString());
        var elsewhere = $"kiosk/v1/{Site}/{kiosk}/cmd/reflected";
        var otherKiosk = $"kiosk/v1/provisioning/{Site}/other/reply/{ProvisioningClient.NewReplyId()}";
        await using var observer = await ProvisioningClient.ConnectAsync(_broker.Port, null);
        await observer.SubscribeAsync("kiosk/v1/#");
        await using var client = await ConnectAsync();

        Assert.That((await client.PublishAsync($"kiosk/v1/provisioning/{Site}/{kiosk}/enroll", payload, elsewhere, [1])).IsSuccess, Is.True);
        Assert.That((await client.PublishAsync($"kiosk/v1/provisioning/{Site}/{kiosk}/enroll", payload, otherKiosk, [2])).IsSuccess, Is.True);
        Assert.That((await client.PublishAsync($"kiosk/v1/provisioning/{Site}/{kiosk}/enroll", payload)).IsSuccess, Is.True);

        // The simulator handles messages one at a time, in order: once this is answered, the three above were handled.
        var served = await client.EnrollAsync(Site, kiosk, token, KioskRequests.Csr(key, KioskRequests.CommonName(Site, kiosk)));
        Assert.That(served["certificate"], Is.Not.Null, "the token was not spent by the unanswered requests: " + served.ToJsonString());
        Assert.That(observer.CountOn(elsewhere), Is.Zero);
        Assert.That(observer.CountOn(otherKiosk), Is.Zero);
    }

    [Test]
    public async Task The_provisioning_listener_lets_anonymous_clients_do_nothing_but_provisioning()
    {
        var ack = $"kiosk/v1/{Site}/k1/ack";
        await using var client = await ConnectAsync();
        await using var platform = await ProvisioningClient.ConnectAsync(_broker.Port, null);

        var record = await client.PublishAsync($"kiosk/v1/{Site}/k1/records/checkin", Encoding.UTF8.GetBytes("{\"records\": []}"));
        await client.SubscribeAsync("kiosk/v1/#");
        Assert.That((await platform.PublishAsync(ack, Encoding.UTF8.GetBytes("{\"recordIds\": []}"))).IsSuccess, Is.True);

        // Mosquitto grants any subscription and applies the ACL to each message it would deliver: once this answer
        // (readable) has arrived, the ack published before it (not readable) would have arrived too.
        var time = JsonNode.Parse(await client.RequestAsync("kiosk/v1/provisioning/time", $"kiosk/v1/provisioning/time/reply/{ProvisioningClient.NewReplyId()}", "{}"u8.ToArray()))!;

        Assert.That(record.ReasonCode, Is.EqualTo(MQTTnet.MqttClientPublishReasonCode.NotAuthorized), "records only over mutual TLS");
        Assert.That(client.CountOn(ack), Is.Zero, "another kiosk's messages are not readable");
        Assert.That(time["platformTime"], Is.Not.Null);
    }

    [Test]
    public async Task Tokens_are_refused_when_provisioning_is_off_and_for_ids_outside_the_contract()
    {
        await using (var off = new CentralPlatform(new CentralOptions { DatabasePath = _folder.File("off.db"), SigningKeyFile = TestPlatformKey.PrivateKeyFile }))
        {
            Assert.That(off.ProvisioningEnabled, Is.False);
            Assert.That(() => off.IssueEnrollmentToken(Site, "k1", TimeSpan.FromHours(1)), Throws.InvalidOperationException.With.Message.Contains("not configured"));
        }

        Assert.That(_central.Platform.ProvisioningEnabled, Is.True);
        Assert.Throws<ArgumentException>(() => _central.Platform.IssueEnrollmentToken("site/x", "k1", TimeSpan.FromHours(1)));
        var token = _central.Platform.IssueEnrollmentToken(Site, "k1", TimeSpan.FromHours(1));
        Assert.That(token, Does.Match("^[A-Z2-7]{26}$"));
        Assert.That(_central.Platform.IssueEnrollmentToken(Site, "k1", TimeSpan.FromHours(1)), Is.Not.EqualTo(token));
    }

    internal static void AssertValid(string schema, JsonNode message)
    {
        var result = ContractSchemas.Load(schema).Evaluate(message, ContractSchemas.Options);
        Assert.That(result.IsValid, Is.True, $"{schema}: {message.ToJsonString()}\n" + string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }
}
