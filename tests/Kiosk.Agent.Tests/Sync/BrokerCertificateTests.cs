using System.Security.Cryptography.X509Certificates;
using Kiosk.Agent.Sync;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// A real Mosquitto presenting the certificates a CA rotation or an intermediate CA brings, which the kiosk must accept,
/// and the ones an intruder between kiosk and platform could present, which it must refuse with a reason a technician
/// can act on in the connection's last error.
/// </summary>
public sealed class BrokerCertificateTests
{
    private TempFolder _folder = null!;
    private TestPki _pki = null!;
    private (string CertFile, string KeyFile) _kiosk;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("broker-cert");
        _pki = new TestPki(_folder.Path, "Kiosk Platform CA");
        _kiosk = _pki.IssueClient("kiosk-t");
    }

    [TearDown]
    public void TearDown()
    {
        _pki.Dispose();
        _folder.Dispose();
    }

    [Test]
    public async Task A_broker_moved_to_the_new_CA_is_accepted_while_the_CA_file_holds_the_old_and_the_new()
    {
        using var next = new TestPki(_folder.Path, "Kiosk Platform CA 2");
        using var leaf = BrokerCertificates.Leaf(next.Ca, "broker", [BrokerCertificates.ServerAuth]);
        var bundle = BrokerCertificates.WriteBundle(_folder.Path, "rotation", _pki.Ca, next.Ca);

        await WithBrokerAsync(leaf, [], bundle, async connection =>
            await connection.WaitConnectedAsync(CancellationToken.None).WaitAsync(Eventually.DefaultBound));
    }

    [Test]
    public async Task An_intermediate_CA_the_broker_sends_links_its_certificate_to_the_root_in_the_CA_file()
    {
        using var intermediate = BrokerCertificates.IntermediateCa(_pki.Ca, "Kiosk Broker Issuing CA");
        using var leaf = BrokerCertificates.Leaf(intermediate, "broker", [BrokerCertificates.ServerAuth]);

        await WithBrokerAsync(leaf, [intermediate], _pki.CaFile, async connection =>
            await connection.WaitConnectedAsync(CancellationToken.None).WaitAsync(Eventually.DefaultBound));
    }

    [Test]
    public async Task An_intermediate_CA_in_the_CA_file_links_the_certificate_when_the_broker_sends_none()
    {
        using var intermediate = BrokerCertificates.IntermediateCa(_pki.Ca, "Kiosk Broker Issuing CA");
        using var leaf = BrokerCertificates.Leaf(intermediate, "broker", [BrokerCertificates.ServerAuth]);
        var bundle = BrokerCertificates.WriteBundle(_folder.Path, "root-and-intermediate", _pki.Ca, intermediate);

        await WithBrokerAsync(leaf, [], bundle, async connection =>
            await connection.WaitConnectedAsync(CancellationToken.None).WaitAsync(Eventually.DefaultBound));
    }

    [Test]
    public async Task A_rogue_broker_presenting_a_kiosk_certificate_for_its_address_is_refused()
    {
        // Everything right but the purpose: the platform's CA, the broker's address, in date, and clientAuth only.
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "kiosk-site-t-kiosk-9", [BrokerCertificates.ClientAuth]);

        var error = await RefusedAsync(leaf, [], _pki.CaFile);
        Assert.That(error, Does.Contain("is not for TLS server authentication").And.Contain("without serverAuth").And.Contain("CN=kiosk-site-t-kiosk-9"));
    }

    [Test]
    public async Task A_broker_certificate_without_extended_key_usage_is_refused()
    {
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "broker", usages: null);

        var error = await RefusedAsync(leaf, [], _pki.CaFile);
        Assert.That(error, Does.Contain("has no extended key usage").And.Contain("serverAuth"));
    }

    [Test]
    public async Task A_broker_certificate_for_another_name_is_refused_and_the_error_names_both()
    {
        // The platform's CA and a server certificate, but for another host: someone else's broker certificate replayed here.
        using var leaf = BrokerCertificates.Leaf(_pki.Ca, "broker", [BrokerCertificates.ServerAuth], ["broker.other-site.example"], loopback: false);

        var error = await RefusedAsync(leaf, [], _pki.CaFile);
        Assert.That(error, Does.Contain("is for 'broker.other-site.example', not '127.0.0.1'").And.Contain("Kiosk:Sync:BrokerHost"));
    }

    /// <summary>Starts a broker presenting <paramref name="leaf"/> (and <paramref name="sent"/>) and an agent trusting <paramref name="caFile"/>.</summary>
    private async Task WithBrokerAsync(X509Certificate2 leaf, X509Certificate2[] sent, string caFile, Func<MqttConnection, Task> check)
    {
        var (certFile, keyFile) = BrokerCertificates.Write(_folder.Path, "broker-presented", leaf, sent);

        // Mosquitto checks the kiosk's certificate against the CA that issued it.
        await using var broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaFile, certFile, keyFile);
        await using var agent = MutualTlsAgent.Create(broker.TlsPort, _folder.File("agent"), caFile, _kiosk.CertFile, _kiosk.KeyFile);
        await agent.StartAsync();
        await check(agent.Services.GetRequiredService<MqttConnection>());
    }

    /// <summary>The connection's last error once the agent has tried the broker presenting <paramref name="leaf"/>; fails if it connected.</summary>
    private async Task<string> RefusedAsync(X509Certificate2 leaf, X509Certificate2[] sent, string caFile)
    {
        string? error = null;
        await WithBrokerAsync(leaf, sent, caFile, async connection =>
        {
            // Either outcome ends the wait, so an agent that accepts the broker fails here at once, not at the bound.
            await Eventually.TrueAsync(() => connection.Epoch > 0 || connection.LastConnectError is not null, "a connect attempt");
            error = connection.LastConnectError;
            Assert.That(connection.Epoch, Is.Zero, "the agent connected to a broker it must refuse");
        });
        Assert.That(error, Does.StartWith("the broker's TLS certificate was refused (the broker's certificate '"));
        Assert.That(error!.Split("was refused").Length, Is.EqualTo(2), $"said once: {error}");
        return error!;
    }
}
