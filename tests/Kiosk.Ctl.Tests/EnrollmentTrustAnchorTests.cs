using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Central.Provisioning;
using Kiosk.TestSupport;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl enroll trusts the CA file the technician brings, not the reply: whoever can answer on the reply topic
/// (a broker operator, another client with publish rights) can send a certificate for the kiosk's own key and name,
/// issued by a CA of their own, with that CA as caChain. A responder on the broker's plain listener answers each
/// request the way the test says: as the platform (with the platform CA's key), or as such an attacker.
/// </summary>
[NonParallelizable]
public sealed class EnrollmentTrustAnchorTests
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private TempFolder _folder = null!;
    private SimulatorPkiFiles _platform = null!;
    private TestPki _attacker = null!;
    private MosquittoBroker _broker = null!;
    private IMqttClient _responder = null!;
    private Func<string, JsonObject> _answer = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = new TempFolder("kioskctl-trust");
        _platform = SimulatorPki.Create(_folder.File("platform"));
        Directory.CreateDirectory(_folder.File("attacker"));
        _attacker = new TestPki(_folder.File("attacker"), "Attacker CA");
        _broker = await MosquittoBroker.StartWithTlsAsync(_platform.CaCertificateFile, _platform.BrokerCertificateFile, _platform.BrokerKeyFile);
        _responder = new MqttClientFactory().CreateMqttClient();
        _responder.ApplicationMessageReceivedAsync += async e =>
        {
            var request = e.ApplicationMessage;
            var csr = (string)JsonNode.Parse(Encoding.UTF8.GetString(request.Payload))!["csr"]!;
            await _responder.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(request.ResponseTopic)
                .WithCorrelationData(request.CorrelationData)
                .WithPayload(_answer(csr).ToJsonString())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
        };
        await _responder.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(MosquittoBroker.Host, _broker.Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
        await _responder.SubscribeAsync("kiosk/v1/provisioning/+/+/enroll", MqttQualityOfServiceLevel.AtLeastOnce);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _responder.Dispose();
        await _broker.DisposeAsync();
        _attacker.Dispose();
        _folder.Dispose();
    }

    private string PlatformCaPem => File.ReadAllText(_platform.CaCertificateFile);

    private string AttackerCaPem => _attacker.Ca.ExportCertificatePem() + "\n";

    /// <summary>A fresh kiosk initialised for the test broker: its configuration file.</summary>
    private async Task<string> InitAsync()
    {
        var config = _folder.File($"k-{Guid.NewGuid():N}/agent.json");
        var run = await KioskctlProcess.RunAsync("init", "--site", "site-t", "--kiosk", "kiosk-t", "--broker", $"mqtts://127.0.0.1:{_broker.TlsPort}",
            "--provisioning-port", _broker.ProvisioningPort.ToString(CultureInfo.InvariantCulture), "--config", config);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        return config;
    }

    private static string[] PkiEntries(string config) =>
        [.. Directory.GetFileSystemEntries(Path.Combine(Path.GetDirectoryName(config)!, "pki")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static string CaFile(string config) => Path.Combine(Path.GetDirectoryName(config)!, "pki", "ca.crt");

    [Test]
    public async Task A_certificate_for_the_kiosks_own_key_from_another_CA_is_refused_and_nothing_is_written()
    {
        var config = await InitAsync();
        var before = await File.ReadAllTextAsync(config);
        _answer = csr => Reply(Issue(_attacker.Ca, csr), AttackerCaPem);

        var run = await KioskctlProcess.RunAsync("enroll", "--token", "T0KEN", "--ca", _platform.CaCertificateFile, "--config", config, "--json");

        Assert.Multiple(async () =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Stderr, Does.Contain("does not chain to the CA file " + _platform.CaCertificateFile).And.Contain("nothing was written"));
            Assert.That((string?)run.Json["error"], Is.EqualTo("untrustedCertificate"));
            Assert.That(PkiEntries(config), Is.EqualTo(new[] { "device.csr", "device.key" }), "no certificate, CA or command-signing key");
            Assert.That(await File.ReadAllTextAsync(config), Is.EqualTo(before), "mutual TLS is not turned on");
        });
    }

    [Test]
    public async Task A_platform_certificate_whose_caChain_slips_in_another_CA_is_refused_and_nothing_is_written()
    {
        var config = await InitAsync();
        var before = await File.ReadAllTextAsync(config);
        _answer = csr => Reply(IssueByPlatform(csr), PlatformCaPem + AttackerCaPem);

        var run = await KioskctlProcess.RunAsync("enroll", "--token", "T0KEN", "--ca", _platform.CaCertificateFile, "--config", config);

        Assert.Multiple(async () =>
        {
            Assert.That(PkiEntries(config), Is.EqualTo(new[] { "device.csr", "device.key" }), "the agent would have trusted the attacker's CA for the broker");
            Assert.That(await File.ReadAllTextAsync(config), Is.EqualTo(before));
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.Stderr, Does.Contain("caChain holds 'CN=Attacker CA'").And.Contain("nothing was written"));
        });
    }

    [Test]
    public async Task A_CA_bundle_holding_the_old_and_the_new_platform_CA_enrolls_and_ca_crt_holds_what_chains_to_it()
    {
        using var old = new TestPki(_folder.Path, "Old Platform CA");
        var bundle = _folder.File($"bundle-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(bundle, old.Ca.ExportCertificatePem() + "\n" + PlatformCaPem);
        var config = await InitAsync();
        _answer = csr => Reply(IssueByPlatform(csr), PlatformCaPem);

        var run = await KioskctlProcess.RunAsync("enroll", "--token", "T0KEN", "--ca", bundle, "--config", config);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(await File.ReadAllTextAsync(CaFile(config)), Is.EqualTo(PlatformCaPem));
    }

    [Test]
    public async Task Without_ca_the_CA_an_earlier_enrollment_stored_is_the_anchor_and_a_forged_reply_is_refused()
    {
        var config = await InitAsync();
        _answer = csr => Reply(IssueByPlatform(csr), PlatformCaPem);
        Assert.That((await KioskctlProcess.RunAsync("enroll", "--token", "T0KEN", "--ca", _platform.CaCertificateFile, "--config", config)).ExitCode, Is.Zero);
        var certificate = await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(config)!, "pki", "device.crt"));
        _answer = csr => Reply(Issue(_attacker.Ca, csr), AttackerCaPem);

        var again = await KioskctlProcess.RunAsync("enroll", "--token", "T0KEN2", "--config", config);

        Assert.Multiple(async () =>
        {
            Assert.That(await File.ReadAllTextAsync(Path.Combine(Path.GetDirectoryName(config)!, "pki", "device.crt")), Is.EqualTo(certificate));
            Assert.That(await File.ReadAllTextAsync(CaFile(config)), Is.EqualTo(PlatformCaPem));
            Assert.That(again.ExitCode, Is.EqualTo(1), again.ToString());
            Assert.That(again.Stderr, Does.Contain("does not chain to the CA file " + CaFile(config)));
        });
    }

    [Test]
    public async Task Enroll_help_says_what_the_trust_anchor_is_with_and_without_ca()
    {
        var help = await KioskctlProcess.RunAsync("enroll", "--help");

        Assert.That(help.ExitCode, Is.Zero, help.ToString());
        Assert.That(help.Stdout, Does.Contain("only trust anchor").And.Contain("Without --ca").And.Contain("Kiosk:Sync:Tls:CaFile").And.Contain("a first enrollment needs --ca"));
    }

    private static JsonObject Reply(string certificatePem, string caChainPem)
    {
        using var signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new JsonObject
        {
            ["certificate"] = certificatePem,
            ["caChain"] = caChainPem,
            ["commandSigningKey"] = signing.ExportSubjectPublicKeyInfoPem(),
            ["platformTime"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        };
    }

    private string IssueByPlatform(string csr)
    {
        using var ca = X509Certificate2.CreateFromPemFile(_platform.CaCertificateFile, _platform.CaKeyFile);
        return Issue(ca, csr);
    }

    /// <summary>What a CA answering the request would issue: the request's name and key, for TLS client authentication.</summary>
    private static string Issue(X509Certificate2 issuer, string csrPem)
    {
        var asked = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
        var request = new CertificateRequest(asked.SubjectName, asked.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], critical: false));
        using var certificate = request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(30), RandomNumberGenerator.GetBytes(16));
        return certificate.ExportCertificatePem() + "\n";
    }
}
