using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Central;
using Kiosk.Central.Provisioning;
using Kiosk.TestSupport;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// The broker's access control for enrolled kiosks (docs/mqtt-contract.md, "Broker access control") on a real Mosquitto:
/// the identity is the client certificate's common name, a kiosk writes only under its own prefix and reads only its own
/// ack and commands, and only the platform's certificate publishes acks and commands.
/// </summary>
public sealed class BrokerAclTests
{
    private TempFolder _folder = null!;
    private TestPki _pki = null!;
    private MosquittoBroker _broker = null!;
    private readonly List<IMqttClient> _clients = [];

    [SetUp]
    public async Task SetUp()
    {
        _folder = new TempFolder("acl");
        _pki = new TestPki(_folder.Path);
        var acl = _folder.File("kiosks.acl");
        File.WriteAllText(acl, string.Join("\n", BrokerAcl.ForPlatform("platform"), BrokerAcl.ForKiosk("site-a", "kiosk-1"), BrokerAcl.ForKiosk("site-a", "kiosk-2"), BrokerAcl.ForKiosk("site-t", "kiosk-t")));
        var (serverCert, serverKey) = _pki.IssueServer();
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaFile, serverCert, serverKey, acl);
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _clients.Clear();
        await _broker.DisposeAsync();
        _pki.Dispose();
        _folder.Dispose();
    }

    [Test]
    public async Task A_kiosk_cannot_write_under_another_kiosks_prefix_nor_forge_acks_or_commands()
    {
        // On the plain listener, which has no ACL, as the platform reads.
        using var observer = await BrokerObserver.StartAsync(_broker.Port, "kiosk/v1/#");
        var kiosk1 = await ConnectAsync("kiosk-site-a-kiosk-1");

        var refused = new Dictionary<string, MqttClientPublishReasonCode>();
        foreach (var topic in new[]
        {
            "kiosk/v1/site-a/kiosk-2/records/checkIn", // another kiosk's records
            "kiosk/v1/site-a/kiosk-2/state",
            "kiosk/v1/site-a/kiosk-1/ack", // its own ack: only the platform acknowledges
            "kiosk/v1/site-a/kiosk-2/ack",
            "kiosk/v1/site-a/kiosk-1/cmd/restart", // a command to itself
            "kiosk/v1/provisioning/site-a/kiosk-2/enroll",
        })
        {
            refused[topic] = (await kiosk1.PublishAsync(Message(topic))).ReasonCode;
        }

        // Then one message it may send: once the observer has it, anything refused before it would have arrived too.
        Assert.That((await kiosk1.PublishAsync(Message("kiosk/v1/site-a/kiosk-1/telemetry"))).ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.Success));
        await Eventually.TrueAsync(() => observer.Topics.Contains("kiosk/v1/site-a/kiosk-1/telemetry"), "the kiosk's own telemetry at the observer");
        Assert.Multiple(() =>
        {
            foreach (var (topic, reason) in refused)
            {
                Assert.That(reason, Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized), topic);
            }

            Assert.That(observer.Topics, Is.EquivalentTo(new[] { "kiosk/v1/site-a/kiosk-1/telemetry" }), "nothing refused reached a subscriber");
        });
    }

    [Test]
    public async Task A_kiosk_reads_only_its_own_acks_and_commands_and_only_the_platform_sends_them()
    {
        var received = new ConcurrentQueue<string>();
        var kiosk1 = await ConnectAsync("kiosk-site-a-kiosk-1", received);
        // Mosquitto grants these subscriptions; it checks read access on every message it would deliver through them.
        await kiosk1.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("kiosk/v1/site-a/kiosk-2/cmd/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await kiosk1.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter("kiosk/v1/#", MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var platform = await ConnectAsync("platform");
        var sent = new Dictionary<string, MqttClientPublishReasonCode>();
        foreach (var topic in new[] { "kiosk/v1/site-a/kiosk-2/cmd/restart", "kiosk/v1/site-a/kiosk-2/ack", "kiosk/v1/site-a/kiosk-1/cmd/restart", "kiosk/v1/site-a/kiosk-1/ack" })
        {
            sent[topic] = (await platform.PublishAsync(Message(topic))).ReasonCode;
        }

        await Eventually.TrueAsync(() => received.Contains("kiosk/v1/site-a/kiosk-1/ack"), "the kiosk's own ack");
        Assert.Multiple(() =>
        {
            Assert.That(sent.Values, Has.All.EqualTo(MqttClientPublishReasonCode.Success), "the platform sends acks and commands to every kiosk");
            Assert.That(received, Is.EqualTo(new[] { "kiosk/v1/site-a/kiosk-1/cmd/restart", "kiosk/v1/site-a/kiosk-1/ack" }), "kiosk 2's command and ack did not reach kiosk 1");
        });
    }

    [Test]
    public async Task The_agent_syncs_a_check_in_with_an_attachment_through_the_acl()
    {
        // The central simulator uses the plain listener; the agent, as an enrolled kiosk, the mutual-TLS one with the ACL.
        await using var central = new CentralPlatform(new CentralOptions { BrokerPort = _broker.Port, DatabasePath = _folder.File("central.db"), SigningKeyFile = TestPlatformKey.PrivateKeyFile });
        await central.StartAsync(CancellationToken.None);
        var (cert, key) = _pki.IssueClient("kiosk-site-t-kiosk-t");
        await using var agent = MutualTlsAgent.Create(_broker.TlsPort, _folder.File("agent"), _pki.CaFile, cert, key, new Dictionary<string, string?> { ["Kiosk:HeartbeatInterval"] = "00:00:01" });
        await agent.StartAsync();
        var scan = new byte[300_000];
        new Random(7).NextBytes(scan);
        var receipt = await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 }) { Attachments = [NewAttachment.FromBytes("scan", "image/png", scan, biometric: false)] });

        await agent.WaitAcknowledgedAsync([receipt.RecordId]);
        Assert.That(await central.GetAttachmentAsync(receipt.RecordId, "scan", CancellationToken.None), Is.EqualTo(scan));
    }

    private static MqttApplicationMessage Message(string topic) =>
        new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("{}").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build();

    /// <summary>A client on the mutual-TLS listener with a certificate for <paramref name="commonName"/> from the test CA.</summary>
    private async Task<IMqttClient> ConnectAsync(string commonName, ConcurrentQueue<string>? received = null)
    {
        var (certFile, keyFile) = _pki.IssueClient(commonName);
        var certificate = X509Certificate2.CreateFromPemFile(certFile, keyFile);
        var client = new MqttClientFactory().CreateMqttClient();
        _clients.Add(client);
        if (received is not null)
        {
            client.ApplicationMessageReceivedAsync += e =>
            {
                received.Enqueue(e.ApplicationMessage.Topic);
                return Task.CompletedTask;
            };
        }

        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(MosquittoBroker.Host, _broker.TlsPort)
            .WithClientId(commonName)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithTlsOptions(o => o.UseTls().WithTargetHost("localhost").WithClientCertificates([certificate]).WithCertificateValidationHandler(e => ChainsToTestCa(e.Certificate)))
            .Build();
        var result = await client.ConnectAsync(options);
        Assert.That(result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success), commonName);
        return client;
    }

    private bool ChainsToTestCa(X509Certificate certificate)
    {
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_pki.Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(server);
    }
}
