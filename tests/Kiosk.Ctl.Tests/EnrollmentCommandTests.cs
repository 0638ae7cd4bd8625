using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Kiosk.Central;
using Kiosk.Central.Provisioning;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl init + enroll as processes against a real Mosquitto (provisioning listener) and the central simulator
/// in-process; then kioskctl diagnose with what enroll wrote.
/// </summary>
[NonParallelizable]
public sealed class EnrollmentCommandTests
{
    private const string Site = "site-ctl";

    private TempFolder _folder = null!;
    private SimulatorPkiFiles _pki = null!;
    private MosquittoBroker _broker = null!;
    private CentralPlatform _central = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = new TempFolder("kioskctl-enroll");
        _pki = SimulatorPki.Create(Path.Combine(_folder.Path, "platform"));
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaCertificateFile, _pki.BrokerCertificateFile, _pki.BrokerKeyFile);
        _central = new CentralPlatform(new CentralOptions
        {
            BrokerPort = _broker.Port,
            DatabasePath = Path.Combine(_folder.Path, "central.db"),
            ClientId = "central-ctl-" + Guid.NewGuid().ToString("N"),
            Provisioning = new ProvisioningOptions { CaCertificateFile = _pki.CaCertificateFile, CaKeyFile = _pki.CaKeyFile, CommandSigningKeyFile = _pki.CommandSigningKeyFile },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _central.StartAsync(timeout.Token);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _folder.Dispose();
    }

    /// <summary>A fresh kiosk: its own config folder, initialised for the test broker.</summary>
    private async Task<(string Kiosk, string Config)> InitAsync(int? provisioningPort = null)
    {
        var kiosk = "k-" + Guid.NewGuid().ToString("N")[..8];
        var config = Path.Combine(_folder.Path, kiosk, "agent.json");
        var run = await KioskctlProcess.RunAsync("init", "--site", Site, "--kiosk", kiosk, "--broker", $"mqtts://127.0.0.1:{_broker.TlsPort}", "--provisioning-port", (provisioningPort ?? _broker.ProvisioningPort).ToString(CultureInfo.InvariantCulture), "--config", config);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        return (kiosk, config);
    }

    private static string Pki(string config, string name) => Path.Combine(Path.GetDirectoryName(config)!, "pki", name);

    [Test]
    public async Task Enroll_with_a_good_token_writes_the_certificate_CA_and_signing_key_and_diagnose_then_passes()
    {
        var (kiosk, config) = await InitAsync();
        var token = _central.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));

        var run = await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile, "--config", config, "--json");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        var report = JsonNode.Parse(run.Stdout)!;
        Assert.That((bool?)report["enrolled"], Is.True);
        using (var certificate = X509Certificate2.CreateFromPemFile(Pki(config, "device.crt"), Pki(config, "device.key")))
        {
            Assert.That(certificate.HasPrivateKey, Is.True, "the certificate is for the key init made");
            Assert.That(certificate.Subject, Is.EqualTo($"CN=kiosk-{Site}-{kiosk}"));
            Assert.That((string?)report["certificate"]!["serialNumber"], Is.EqualTo(certificate.SerialNumber));
        }

        Assert.That(await File.ReadAllTextAsync(Pki(config, "ca.crt")), Is.EqualTo(await File.ReadAllTextAsync(_pki.CaCertificateFile)));
        using (var signing = ECDsa.Create())
        {
            signing.ImportFromPem(await File.ReadAllTextAsync(_pki.CommandSigningKeyFile));
            Assert.That(await File.ReadAllTextAsync(Pki(config, "command-signing.pub")), Is.EqualTo(signing.ExportSubjectPublicKeyInfoPem() + "\n"));
        }

        var tls = JsonNode.Parse(await File.ReadAllTextAsync(config))!["Kiosk"]!["Sync"]!["Tls"]!;
        Assert.That((bool?)tls["Enabled"], Is.True);
        Assert.That((string?)tls["CaFile"], Is.EqualTo(Pki(config, "ca.crt")));
        Assert.That((string?)tls["ClientCertificateFile"], Is.EqualTo(Pki(config, "device.crt")));
        Assert.That((string?)tls["ClientKeyFile"], Is.EqualTo(Pki(config, "device.key")));

        var diagnose = await KioskctlProcess.RunAsync("diagnose", "--json", "--broker", $"127.0.0.1:{_broker.TlsPort}", "--ca", (string)tls["CaFile"]!, "--cert", (string)tls["ClientCertificateFile"]!, "--key", (string)tls["ClientKeyFile"]!);
        Assert.That(diagnose.ExitCode, Is.Zero, diagnose.ToString());
        var checks = JsonNode.Parse(diagnose.Stdout)!["checks"]!.AsArray();
        Assert.That(checks.Single(c => (string?)c!["name"] == "clock")!["ok"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task Enroll_with_a_used_token_exits_1_saying_to_ask_for_a_new_one_and_changes_nothing()
    {
        var (kiosk, config) = await InitAsync();
        var token = _central.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));
        Assert.That((await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile, "--config", config)).ExitCode, Is.Zero);
        var certificate = await File.ReadAllTextAsync(Pki(config, "device.crt"));
        var configuration = await File.ReadAllTextAsync(config);

        var again = await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile, "--config", config);

        Assert.That(again.ExitCode, Is.EqualTo(1), again.ToString());
        Assert.That(again.Stderr, Does.Contain("token already used: ask the platform operator for a new one-time token"));
        Assert.That(await File.ReadAllTextAsync(Pki(config, "device.crt")), Is.EqualTo(certificate));
        Assert.That(await File.ReadAllTextAsync(config), Is.EqualTo(configuration));
    }

    [Test]
    public async Task Enroll_with_an_expired_token_exits_1_and_writes_nothing()
    {
        var (kiosk, config) = await InitAsync();
        var token = _central.IssueEnrollmentToken(Site, kiosk, TimeSpan.Zero);

        var run = await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile, "--config", config, "--json");

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stderr, Does.Contain("token expired: ask the platform operator for a new one-time token"));
        Assert.That((string?)JsonNode.Parse(run.Stdout)!["error"], Is.EqualTo("tokenExpired"));
        Assert.That(File.Exists(Pki(config, "device.crt")), Is.False);
        Assert.That((bool?)JsonNode.Parse(await File.ReadAllTextAsync(config))!["Kiosk"]!["Sync"]!["Tls"]!["Enabled"], Is.False);
    }

    [Test]
    public async Task Enroll_with_a_token_for_another_kiosk_exits_1_naming_the_ids_to_check()
    {
        var (_, config) = await InitAsync();
        var token = _central.IssueEnrollmentToken(Site, "someone-else", TimeSpan.FromHours(1));

        var run = await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile, "--config", config);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.Stderr, Does.Contain("for another kiosk").And.Contain("Kiosk:KioskId"));
    }

    [Test]
    public async Task Enroll_against_a_closed_port_exits_3_and_points_to_diagnose()
    {
        var (kiosk, config) = await InitAsync(FreePort.Next());
        var token = _central.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));

        var run = await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile, "--config", config);

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.Stderr, Does.Contain("cannot reach the platform's provisioning listener").And.Contain("kioskctl diagnose"));
    }

    [Test]
    public async Task Enroll_without_a_platform_answering_exits_3_after_the_timeout()
    {
        await using var silent = await MosquittoBroker.StartWithTlsAsync(_pki.CaCertificateFile, _pki.BrokerCertificateFile, _pki.BrokerKeyFile);
        var (kiosk, config) = await InitAsync(silent.ProvisioningPort);
        var token = _central.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));

        var run = await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile, "--config", config, "--timeout", "2");

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.Stderr, Does.Contain("did not answer within 2 s").And.Contain("is the platform running?"));
    }

    [Test]
    public async Task Enroll_refuses_a_broker_whose_certificate_is_not_from_the_CA_file()
    {
        using var other = new TempFolder("other-ca");
        using var impostor = new TestPki(other.Path, "Impostor CA");
        var (kiosk, config) = await InitAsync();
        var token = _central.IssueEnrollmentToken(Site, kiosk, TimeSpan.FromHours(1));

        var run = await KioskctlProcess.RunAsync("enroll", "--token", token, "--ca", impostor.CaFile, "--config", config);

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.Stderr, Does.Contain("does not chain to the CA file"));
        Assert.That(File.Exists(Pki(config, "device.crt")), Is.False);
    }

    [Test]
    public async Task Enroll_before_init_says_to_run_init()
    {
        var run = await KioskctlProcess.RunAsync("enroll", "--token", "ABC", "--ca", _pki.CaCertificateFile, "--config", Path.Combine(_folder.Path, "nowhere", "agent.json"));

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Stderr, Does.Contain("kioskctl init"));
    }
}
