using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

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
        _central = new CentralPlatform(new CentralOptions { BrokerPort = _broker.Port, DatabasePath = _folder.File("central.db") });
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

    /// <summary>Polls state another process (the broker's TLS handshake) decides.</summary>
}
