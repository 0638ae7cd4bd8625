using System.Text.Json.Nodes;
using Kiosk.Central;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl diagnose against a Mosquitto that requires client certificates, healthy and broken, with the central
/// simulator answering the platform time for the clock check.
/// </summary>
[NonParallelizable]
public sealed class DiagnoseCommandTests
{
    private TempFolder _folder = null!;
    private TestPki _pki = null!;
    private MosquittoBroker _broker = null!;
    private CentralPlatform _central = null!;

    [OneTimeSetUp]
    public async Task StartBroker()
    {
        _folder = new TempFolder("diagnose");
        _pki = new TestPki(_folder.Path);
        var (cert, key) = _pki.IssueServer();
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaFile, cert, key);
        _central = await StartCentralAsync(_broker, TimeSpan.Zero);
    }

    [OneTimeTearDown]
    public async Task StopBroker()
    {
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _pki.Dispose();
        _folder.Dispose();
    }

    private static async Task<(int ExitCode, JsonNode Report)> Diagnose(params string[] args)
    {
        var run = await KioskctlProcess.RunAsync(["diagnose", "--json", .. args]);
        return (run.ExitCode, run.Json);
    }

    /// <summary>The central simulator on the broker's plain listener; it answers kiosk/v1/provisioning/time with its clock plus <paramref name="clockOffset"/>.</summary>
    private async Task<CentralPlatform> StartCentralAsync(MosquittoBroker broker, TimeSpan clockOffset)
    {
        var central = new CentralPlatform(new CentralOptions
        {
            BrokerPort = broker.Port,
            DatabasePath = _folder.File($"central-{Guid.NewGuid():N}.db"),
            ClientId = "central-diagnose-" + Guid.NewGuid().ToString("N"),
            ClockOffset = clockOffset,
            SigningKeyFile = TestPlatformKey.PrivateKeyFile,
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await central.StartAsync(timeout.Token);
        return central;
    }

    private static JsonNode Check(JsonNode report, string name) =>
        report["checks"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;

    [Test]
    public async Task A_healthy_setup_passes_every_check()
    {
        var (cert, key) = _pki.IssueClient("kiosk-healthy");
        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{_broker.TlsPort}", "--ca", _pki.CaFile, "--cert", cert, "--key", key, "--data", _folder.Path);
        Assert.That(exit, Is.Zero, report.ToJsonString());
        Assert.That(report["healthy"]!.GetValue<bool>(), Is.True);
        Assert.That(report["checks"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Is.SupersetOf(new[] { "dns", "tcp", "tls handshake", "broker certificate chain", "broker certificate name", "client certificate dates", "broker certificate dates", "clock", "disk" }));
        Assert.That(Check(report, "clock")["detail"]!.GetValue<string>(), Does.StartWith("within "));
    }

    [Test]
    public async Task A_CA_file_holding_another_CA_before_the_platforms_is_read_whole_as_the_agent_reads_it()
    {
        // A rotation: the file lists the other (old or new) CA first. Reading only its first certificate would refuse the broker.
        using var other = new TestPki(_folder.Path, "Kiosk Other CA");
        var bundle = _folder.File("rotation-ca.pem");
        File.WriteAllText(bundle, File.ReadAllText(other.CaFile) + "\n" + File.ReadAllText(_pki.CaFile) + "\n");
        var (cert, key) = _pki.IssueClient("kiosk-rotation");

        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{_broker.TlsPort}", "--ca", bundle, "--cert", cert, "--key", key, "--data", _folder.Path);

        Assert.That(exit, Is.Zero, report.ToJsonString());
        Assert.That(Check(report, "broker certificate chain")["ok"]!.GetValue<bool>(), Is.True);
        Assert.That(Check(report, "broker certificate trust")["detail"]!.GetValue<string>(), Is.EqualTo("the agent would trust this broker"));
    }

    [Test]
    public async Task A_kiosk_clock_ten_minutes_behind_the_platform_fails_naming_the_skew_and_the_fix()
    {
        var (serverCert, serverKey) = _pki.IssueServer("broker-skewed");
        await using var broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaFile, serverCert, serverKey);
        await using var central = await StartCentralAsync(broker, TimeSpan.FromMinutes(10));
        var (cert, key) = _pki.IssueClient("kiosk-skewed");

        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{broker.TlsPort}", "--ca", _pki.CaFile, "--cert", cert, "--key", key);

        var clock = Check(report, "clock");
        Assert.That(exit, Is.EqualTo(1), report.ToJsonString());
        Assert.That(clock["ok"]!.GetValue<bool>(), Is.False);
        Assert.That(clock["detail"]!.GetValue<string>(), Does.Contain("600 s behind the platform's"));
        Assert.That(clock["fix"]!.GetValue<string>(), Does.Contain("timedatectl set-ntp true").And.Contain("NTP server"));
        Assert.That(report["checks"]!.AsArray().Where(c => c!["name"]!.GetValue<string>() != "clock").Select(c => c!["ok"]!.GetValue<bool>()), Has.All.True, "only the clock is wrong");
    }

    [Test]
    public async Task A_platform_that_does_not_answer_fails_the_clock_check_saying_so()
    {
        var (serverCert, serverKey) = _pki.IssueServer("broker-alone");
        await using var broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaFile, serverCert, serverKey);
        var (cert, key) = _pki.IssueClient("kiosk-alone");

        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{broker.TlsPort}", "--ca", _pki.CaFile, "--cert", cert, "--key", key);

        var clock = Check(report, "clock");
        Assert.That(exit, Is.EqualTo(1), report.ToJsonString());
        Assert.That(clock["detail"]!.GetValue<string>(), Does.Contain("did not answer"));
        Assert.That(clock["fix"]!.GetValue<string>(), Does.Contain("is the platform running?"));
    }

    [Test]
    public async Task A_wrong_broker_port_names_the_port_and_the_fix()
    {
        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{FreePort.Next()}", "--ca", _pki.CaFile);
        var tcp = Check(report, "tcp");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(tcp["ok"]!.GetValue<bool>(), Is.False);
        Assert.That(tcp["detail"]!.GetValue<string>(), Does.Contain("refused"));
        Assert.That(tcp["fix"]!.GetValue<string>(), Does.Contain("Kiosk:Sync:BrokerPort"));
    }

    [Test]
    public async Task An_expired_client_certificate_is_named_with_the_fix()
    {
        var (cert, key) = _pki.IssueClient("kiosk-expired", DateTimeOffset.UtcNow.AddHours(-20), DateTimeOffset.UtcNow.AddHours(-2));
        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{_broker.TlsPort}", "--ca", _pki.CaFile, "--cert", cert, "--key", key);
        var dates = Check(report, "client certificate dates");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(dates["detail"]!.GetValue<string>(), Does.Contain("expired"));
        Assert.That(dates["fix"]!.GetValue<string>(), Does.Contain("kioskctl enroll"));
    }

    [Test]
    public async Task A_broker_certificate_from_another_CA_is_named_with_the_fix()
    {
        using var other = new TempFolder("other-ca");
        using var impostor = new TestPki(other.Path, "Impostor CA");
        var (cert, key) = _pki.IssueClient("kiosk-other");
        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{_broker.TlsPort}", "--ca", impostor.CaFile, "--cert", cert, "--key", key);
        var chain = Check(report, "broker certificate chain");
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(chain["ok"]!.GetValue<bool>(), Is.False);
        Assert.That(chain["detail"]!.GetValue<string>(), Does.Contain("does not chain to the enrolled CA"));
        Assert.That(chain["fix"]!.GetValue<string>(), Does.Contain("Kiosk:Sync:Tls:CaFile"));
    }

    [Test]
    public async Task A_client_certificate_from_another_CA_is_refused_by_the_broker_and_said_so()
    {
        using var other = new TempFolder("other-ca");
        using var impostor = new TestPki(other.Path, "Impostor CA");
        var (cert, key) = impostor.IssueClient("kiosk-impostor");
        var (exit, report) = await Diagnose("--broker", $"127.0.0.1:{_broker.TlsPort}", "--ca", _pki.CaFile, "--cert", cert, "--key", key);
        Assert.That(exit, Is.EqualTo(1));
        Assert.That(report["checks"]!.AsArray().Where(c => !c!["ok"]!.GetValue<bool>()).Select(c => c!["fix"]!.GetValue<string>()), Has.Some.Contains("refused this kiosk's certificate"));
    }
}
