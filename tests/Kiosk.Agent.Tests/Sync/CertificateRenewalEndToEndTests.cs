using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Control;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.Central;
using Kiosk.Central.Provisioning;
using Kiosk.Central.Signing;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// Certificate renewal (docs/mqtt-contract.md, "Certificate renewal") on a real Mosquitto with mutual TLS and the enrolled-kiosk
/// ACL: the platform simulator's CA issues, the kiosk asks on its own <c>csr</c> topic and gets a signed <c>cmd/certificate</c>.
/// </summary>
public sealed class CertificateRenewalEndToEndTests
{
    private const string Site = "site-t";
    private const string Kiosk = "kiosk-t";

    private TempFolder _folder = null!;
    private SimulatorPkiFiles _pki = null!;
    private MosquittoBroker _broker = null!;
    private CentralPlatform _central = null!;

    [SetUp]
    public async Task SetUp()
    {
        _folder = new TempFolder("renewal");

        // The CA's dates are fixed from one clock reading; the broker checks them against the real clock, so that reading is now.
        _pki = SimulatorPki.Create(_folder.File("platform-pki"), new FakeTimeProvider(DateTimeOffset.UtcNow));
        var acl = _folder.File("kiosks.acl");
        File.WriteAllText(acl, string.Join("\n", BrokerAcl.ForPlatform("platform"), BrokerAcl.ForKiosk(Site, Kiosk), BrokerAcl.ForKiosk(Site, "kiosk-2")));
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaCertificateFile, _pki.BrokerCertificateFile, _pki.BrokerKeyFile, acl);

        // The simulator on the plain listener, as the platform; its CA issues the renewed certificates.
        _central = new CentralPlatform(new CentralOptions
        {
            BrokerPort = _broker.Port,
            DatabasePath = _folder.File("central.db"),
            SigningKeyFile = TestPlatformKey.PrivateKeyFile,
            Provisioning = new ProvisioningOptions { CaCertificateFile = _pki.CaCertificateFile, CaKeyFile = _pki.CaKeyFile, CommandSigningKeyFile = TestPlatformKey.PrivateKeyFile },
        });
        await _central.StartAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _folder.Dispose();
    }

    [Test]
    public async Task Renewal_under_a_running_sync_loses_no_record_and_leaves_the_kiosk_connected_with_the_new_certificate()
    {
        using var observer = await BrokerObserver.StartAsync(_broker.Port, $"kiosk/v1/{Site}/{Kiosk}/#");
        var (certFile, keyFile) = IssueKioskCertificate(_folder.File("agent/pki"), $"kiosk-{Site}-{Kiosk}");
        await using var agent = MutualTlsAgent.Create(_broker.TlsPort, _folder.File("agent"), _pki.CaCertificateFile, certFile, keyFile);
        await agent.StartAsync();
        var connection = agent.Services.GetRequiredService<MqttConnection>();
        var security = agent.Services.GetRequiredService<BrokerSecurity>();
        await Eventually.TrueAsync(() => connection.IsConnected, "the agent connected with its first certificate");
        var oldThumbprint = security.Tls!.ClientCertificateThumbprint;
        var epochBefore = connection.Epoch;

        // Check-ins committed one after another for the whole renewal.
        var committed = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                var receipt = await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = n++ }));
                committed.Enqueue(receipt.RecordId);
                await Task.Yield();
            }
        });
        await Eventually.TrueAsync(() => agent.Status.RecordsAcknowledged >= 20, "records flowing before the renewal");

        var commandId = await _central.SendCommandAsync(Site, Kiosk, "renew-certificate", new JsonObject { ["reason"] = "end-to-end test" }, CancellationToken.None);
        using var bound = new CancellationTokenSource(Eventually.DefaultBound * 2);
        var result = await _central.WaitForCommandResultAsync(commandId, bound.Token);
        var countAtRenewal = committed.Count;
        await Eventually.TrueAsync(() => committed.Count >= countAtRenewal + 20, "records committed after the renewal");
        await stop.CancelAsync();
        await producer;

        Assert.That(result.Status, Is.EqualTo("done"), result.Message);
        var newThumbprint = (string)result.Detail!["thumbprint"]!;
        await agent.WaitAcknowledgedAsync(committed);
        var stored = (await _central.GetStoredRecordsAsync(CancellationToken.None)).Select(r => r.RecordId).ToHashSet();
        using var onDisk = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        Assert.Multiple(() =>
        {
            Assert.That(committed.Where(id => !stored.Contains(id)), Is.Empty, "every committed record reached the platform");
            Assert.That(newThumbprint, Is.Not.EqualTo(oldThumbprint));
            Assert.That((string)result.Detail!["previousThumbprint"]!, Is.EqualTo(oldThumbprint));
            Assert.That(security.Tls!.ClientCertificateThumbprint, Is.EqualTo(newThumbprint), "the connection uses the new certificate");
            Assert.That(connection.IsConnected && connection.Epoch > epochBefore, Is.True, "reconnected with it");
            Assert.That(onDisk.GetCertHashString(HashAlgorithmName.SHA256), Is.EqualTo(newThumbprint), "the configured files hold the new pair");
            Assert.That(OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : File.GetUnixFileMode(keyFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite), "the new key is owner-only");
            Assert.That(File.Exists(certFile + ".next") || File.Exists(keyFile + ".next"), Is.False, "no renewed pair left aside");
        });

        // The messages on the wire match their schemas.
        var csr = observer.Messages.First(m => m.Topic.EndsWith("/csr", StringComparison.Ordinal)).Text;
        var reply = observer.Messages.First(m => m.Topic.EndsWith("/cmd/certificate", StringComparison.Ordinal)).Text;
        var renew = observer.Messages.First(m => m.Topic.EndsWith("/cmd/renew-certificate", StringComparison.Ordinal)).Text;
        Assert.Multiple(() =>
        {
            Assert.That(ContractSchema.Errors("certificate-request.schema.json", csr), Is.Empty, csr);
            Assert.That(ContractSchema.Errors("cmd-certificate.schema.json", Encoding.UTF8.GetString(PlatformSigner.PayloadOf(Encoding.UTF8.GetBytes(reply)))), Is.Empty);
            Assert.That(ContractSchema.Errors("cmd-renew-certificate.schema.json", Encoding.UTF8.GetString(PlatformSigner.PayloadOf(Encoding.UTF8.GetBytes(renew)))), Is.Empty);
        });
    }

    [Test]
    public async Task A_request_for_another_kiosks_identity_is_refused_with_a_signed_answer_and_another_kiosks_topic_is_closed()
    {
        var (certFile, keyFile) = IssueKioskCertificate(_folder.File("impostor"), $"kiosk-{Site}-{Kiosk}");
        var answers = new ConcurrentQueue<(string Topic, byte[] Payload)>();
        using var client = await ConnectAsync(certFile, keyFile, answers);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"kiosk/v1/{Site}/{Kiosk}/cmd/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        var renewals = new ConcurrentQueue<CertificateRenewalView>();
        _central.CertificateRenewalAnswered += (_, view) => renewals.Enqueue(view);

        // Kiosk t, on its own topic, asks for a certificate in kiosk 2's name.
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = new CertificateRequest($"CN=kiosk-{Site}-kiosk-2", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var request = new JsonObject { ["requestId"] = "forged-1", ["csr"] = forged, ["reason"] = "command" }.ToJsonString();
        Assert.That(ContractSchema.Errors("certificate-request.schema.json", request), Is.Empty);
        var own = await client.PublishAsync(Message($"kiosk/v1/{Site}/{Kiosk}/csr", request));
        // And on kiosk 2's topic: the ACL refuses it.
        var other = await client.PublishAsync(Message($"kiosk/v1/{Site}/kiosk-2/csr", request));

        await Eventually.TrueAsync(() => !answers.IsEmpty, "the platform's answer");
        var (topic, signed) = answers.First();

        // The answer verifies as every platform message does, and says why.
        using var store = ControlStore.Open(_folder.File("verifier/control.db"), null, TimeProvider.System);
        var verifier = new PlatformMessageVerifier(new PlatformKeyRing(store, TestPlatformKey.PublicKeyFile), Site, Kiosk, TimeProvider.System, () => null);
        var refusal = verifier.Verify(topic, new ReadOnlySequence<byte>(signed), CertificateReply.MaxMessageBytes, out var verified, out var why);
        Assert.That(refusal, Is.EqualTo(Refusal.None), why);
        Assert.That(CertificateReply.TryParse(verified!.Payload, out var reply, out var error), Is.True, error);
        Assert.That(ContractSchema.Errors("cmd-certificate.schema.json", Encoding.UTF8.GetString(verified.Payload)), Is.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(own.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.Success));
            Assert.That(other.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized), "a kiosk cannot ask in another kiosk's place");
            Assert.That(topic, Is.EqualTo($"kiosk/v1/{Site}/{Kiosk}/cmd/certificate"));
            Assert.That(reply!.RequestId, Is.EqualTo("forged-1"));
            Assert.That(reply.CertificatePem, Is.Null, "no certificate issued");
            Assert.That(reply.Error, Is.EqualTo("identityMismatch"));
            Assert.That(reply.Message, Does.Contain($"CN=kiosk-{Site}-kiosk-2").And.Contain($"CN=kiosk-{Site}-{Kiosk}"));
            Assert.That(renewals.Select(r => (r.KioskId, r.Error)), Is.EqualTo(new[] { (Kiosk, (string?)"identityMismatch") }), "only the request on its own topic reached the platform");
        });
    }

    [Test]
    public async Task A_renewed_certificate_the_broker_refuses_is_given_up_and_the_kiosk_goes_back_to_the_old_one()
    {
        // This broker trusts only the test CA for client certificates; the platform's CA issues the renewed one, which the
        // kiosk accepts (its CA file names both CAs) but the broker refuses: the new pair cannot connect.
        using var brokerPki = new TestPki(_folder.Path);
        var (serverCert, serverKey) = brokerPki.IssueServer();
        var acl = _folder.File("rollback.acl");
        File.WriteAllText(acl, string.Join("\n", BrokerAcl.ForPlatform("platform"), BrokerAcl.ForKiosk(Site, Kiosk)));
        await using var broker = await MosquittoBroker.StartWithTlsAsync(brokerPki.CaFile, serverCert, serverKey, acl);
        await using var central = new CentralPlatform(new CentralOptions
        {
            BrokerPort = broker.Port,
            DatabasePath = _folder.File("rollback-central.db"),
            SigningKeyFile = TestPlatformKey.PrivateKeyFile,
            Provisioning = new ProvisioningOptions { CaCertificateFile = _pki.CaCertificateFile, CaKeyFile = _pki.CaKeyFile, CommandSigningKeyFile = TestPlatformKey.PrivateKeyFile },
        });
        await central.StartAsync(CancellationToken.None);
        var caFile = _folder.File("both-cas.pem");
        File.WriteAllText(caFile, File.ReadAllText(brokerPki.CaFile) + "\n" + File.ReadAllText(_pki.CaCertificateFile));
        var (certFile, keyFile) = brokerPki.IssueClient($"kiosk-{Site}-{Kiosk}");
        var before = (File.ReadAllText(certFile), File.ReadAllText(keyFile));
        await using var agent = MutualTlsAgent.Create(broker.TlsPort, _folder.File("rollback-agent"), caFile, certFile, keyFile, new Dictionary<string, string?> { ["Kiosk:Sync:Tls:RenewalConnectTimeout"] = "00:00:03" });
        await agent.StartAsync();
        var connection = agent.Services.GetRequiredService<MqttConnection>();
        var security = agent.Services.GetRequiredService<BrokerSecurity>();
        await Eventually.TrueAsync(() => connection.IsConnected, "the agent connected with its first certificate");
        var oldThumbprint = security.Tls!.ClientCertificateThumbprint;

        var commandId = await central.SendCommandAsync(Site, Kiosk, "renew-certificate", new JsonObject(), CancellationToken.None);
        using var bound = new CancellationTokenSource(Eventually.DefaultBound * 2);
        var result = await central.WaitForCommandResultAsync(commandId, bound.Token);
        var receipt = await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["after"] = "rollback" }));
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("failed"), result.Message);
            Assert.That(result.Message, Does.Contain("did not connect").And.Contain("back on the previous certificate " + oldThumbprint));
            Assert.That(security.Tls!.ClientCertificateThumbprint, Is.EqualTo(oldThumbprint), "the old certificate is in use again");
            Assert.That(connection.IsConnected, Is.True);
            Assert.That((File.ReadAllText(certFile), File.ReadAllText(keyFile)), Is.EqualTo(before), "the configured pair was never replaced");
            Assert.That(File.Exists(certFile + ".next") || File.Exists(keyFile + ".next"), Is.False, "the refused pair is gone");
        });
    }

    /// <summary>A client certificate for <paramref name="commonName"/> from the simulator's CA, as enrollment would have issued it.</summary>
    private (string CertFile, string KeyFile) IssueKioskCertificate(string folder, string commonName)
    {
        Directory.CreateDirectory(folder);
        using var ca = X509Certificate2.CreateFromPemFile(_pki.CaCertificateFile, _pki.CaKeyFile);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(ca, now.AddHours(-1), now.AddDays(300), RandomNumberGenerator.GetBytes(12));
        var certFile = Path.Combine(folder, "device.crt");
        var keyFile = Path.Combine(folder, "device.key");
        File.WriteAllText(certFile, certificate.ExportCertificatePem() + "\n");
        ClientCertificateFiles.WriteAtomic(keyFile, key.ExportPkcs8PrivateKeyPem() + "\n", secret: true);
        return (certFile, keyFile);
    }

    private async Task<IMqttClient> ConnectAsync(string certFile, string keyFile, ConcurrentQueue<(string Topic, byte[] Payload)> received)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(MosquittoBroker.Host, _broker.TlsPort)
            .WithClientId("impostor-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTlsOptions(o => o.UseTls().WithTargetHost("localhost").WithClientCertificates([certificate]).WithCertificateValidationHandler(_ => true))
            .Build();
        var result = await client.ConnectAsync(options);
        Assert.That(result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));
        return client;
    }

    private static MqttApplicationMessage Message(string topic, string json) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(json).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();
}
