using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>The production profile: mutual TLS to a Mosquitto that requires client certificates.</summary>
public sealed class MutualTlsTests
{
    private TempFolder _folder = null!;
    private TestPki _pki = null!;
    private MosquittoBroker _broker = null!;
    private CentralPlatform _central = null!;

    [SetUp]
    public async Task SetUp()
    {
        _folder = new TempFolder("mtls");
        _pki = new TestPki(_folder.Path);
        var (serverCert, serverKey) = _pki.IssueServer();
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaFile, serverCert, serverKey);
        _central = new CentralPlatform(new CentralOptions { BrokerPort = _broker.Port, DatabasePath = _folder.File("central.db"), SigningKeyFile = TestPlatformKey.PrivateKeyFile });
        await _central.StartAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _pki.Dispose();
        _folder.Dispose();
    }

    private TestAgent Agent(string caFile, string certFile, string keyFile, IDictionary<string, string?>? more = null) =>
        MutualTlsAgent.Create(_broker.TlsPort, _folder.File("agent"), caFile, certFile, keyFile, more);

    [Test]
    public async Task A_check_in_reaches_the_platform_over_mutual_TLS_in_the_production_profile()
    {
        var (cert, key) = _pki.IssueClient("kiosk-t");
        await using var agent = Agent(_pki.CaFile, cert, key);
        await agent.StartAsync();
        var receipt = await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["over"] = "tls" }));
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);
        Assert.That((await _central.GetStoredRecordsAsync(CancellationToken.None)).Select(r => r.RecordId), Does.Contain(receipt.RecordId));
    }

    [Test]
    public async Task A_broker_certificate_from_another_CA_is_refused()
    {
        using var otherFolder = new TempFolder("other-ca");
        using var impostor = new TestPki(otherFolder.Path, "Impostor CA");
        var (cert, key) = _pki.IssueClient("kiosk-t");

        // The agent trusts only the impostor CA, so the real broker's certificate must be refused.
        await using var agent = Agent(impostor.CaFile, cert, key);
        await agent.StartAsync();
        var connection = agent.Services.GetRequiredService<MqttConnection>();
        await Eventually.TrueAsync(() => connection.LastConnectError is not null);

        Assert.That(connection.IsConnected, Is.False);
        Assert.That(connection.Epoch, Is.Zero, "the agent connected to a broker its CA file does not name");

        // What a technician reads in kioskctl status: which certificate, that it is not from the CA file, what to do.
        Assert.That(connection.LastConnectError, Does.Contain("the broker's TLS certificate was refused")
            .And.Contain("issued by 'CN=Kiosk Test CA'")
            .And.Contain("does not chain to a root CA in Kiosk:Sync:Tls:CaFile")
            .And.Contain("not the platform's broker"));
    }

    [Test]
    public async Task A_client_certificate_from_another_CA_is_refused_by_the_broker()
    {
        using var otherFolder = new TempFolder("other-ca");
        using var impostor = new TestPki(otherFolder.Path, "Impostor CA");
        var (cert, key) = impostor.IssueClient("kiosk-t");

        await using var agent = Agent(_pki.CaFile, cert, key);
        await agent.StartAsync();
        var connection = agent.Services.GetRequiredService<MqttConnection>();
        await Eventually.TrueAsync(() => connection.LastConnectError is not null);
        Assert.That(connection.IsConnected, Is.False);
    }

    [Test]
    public async Task A_heartbeat_over_mutual_TLS_carries_the_enrolled_certificates_expiry_and_matches_the_schema()
    {
        // 20 days left: inside the 30 days that make the agent warn at start.
        var (cert, key) = _pki.IssueClient("kiosk-t", notAfter: DateTimeOffset.UtcNow.AddDays(20));
        using var enrolled = X509Certificate2.CreateFromPem(File.ReadAllText(cert));
        var notAfter = new DateTimeOffset(enrolled.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        using var heartbeats = await BrokerObserver.StartAsync(_broker.Port, "kiosk/v1/site-t/kiosk-t/telemetry");
        using var logs = new LogRecorder();

        await using (var agent = Agent(_pki.CaFile, cert, key, new Dictionary<string, string?> { ["Kiosk:HeartbeatInterval"] = "00:00:01" }))
        {
            agent.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
            await agent.StartAsync();
            await Eventually.TrueAsync(() => !heartbeats.Messages.IsEmpty, "a heartbeat on the telemetry topic");
        }

        heartbeats.Messages.TryPeek(out var first);
        var json = first.Text;
        var heartbeat = JsonNode.Parse(json!)!;
        var at = DateTimeOffset.Parse(heartbeat["at"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        Assert.Multiple(() =>
        {
            Assert.That(heartbeat["tls"]?["clientCertificateNotAfter"]?.GetValue<string>(), Is.EqualTo(OutboxTime.Format(notAfter)), json);
            Assert.That(heartbeat["tls"]?["clientCertificateDaysLeft"]?.GetValue<int>(), Is.EqualTo((int)Math.Floor((notAfter - at).TotalDays)).And.EqualTo(19), json);
            Assert.That(ContractSchema.Errors("telemetry.schema.json", json!), Is.Empty, json);
        });

        // The schema really describes the field: the same heartbeat with the days as text is refused.
        heartbeat["tls"]!["clientCertificateDaysLeft"] = "19";
        Assert.That(ContractSchema.Errors("telemetry.schema.json", heartbeat.ToJsonString()), Is.Not.Empty);

        var warning = logs.Entries.Where(e => e.EventId.Id == 2201).ToList();
        Assert.That(warning, Has.Count.EqualTo(1), "one warning at start, the next one a day later");
        Assert.That(warning[0].Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning[0].Message, Does.Contain(OutboxTime.Format(notAfter)).And.Contain("19 days left").And.Not.Contain("PRIVATE KEY"));
    }

    [Test]
    public async Task Without_TLS_in_the_demo_profile_the_heartbeat_says_tls_null()
    {
        using var heartbeats = await BrokerObserver.StartAsync(_broker.Port, "kiosk/v1/site-t/kiosk-t/telemetry");
        await using (var agent = new TestAgent(_broker.Port, _folder.File("agent"), new Dictionary<string, string?> { ["Kiosk:HeartbeatInterval"] = "00:00:01" }))
        {
            await agent.StartAsync();
            await Eventually.TrueAsync(() => !heartbeats.Messages.IsEmpty, "a heartbeat on the telemetry topic");
        }

        heartbeats.Messages.TryPeek(out var first);
        var json = first.Text;
        var heartbeat = JsonNode.Parse(json!)!.AsObject();
        Assert.That(heartbeat.ContainsKey("tls") && heartbeat["tls"] is null, Is.True, json);
        Assert.That(ContractSchema.Errors("telemetry.schema.json", json!), Is.Empty, json);
    }
}
