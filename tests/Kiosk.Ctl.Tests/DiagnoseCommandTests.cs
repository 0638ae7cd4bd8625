using System.Diagnostics;
using System.Text.Json.Nodes;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>kioskctl diagnose against a Mosquitto that requires client certificates, healthy and broken.</summary>
[NonParallelizable]
public sealed class DiagnoseCommandTests
{
    private TempFolder _folder = null!;
    private TestPki _pki = null!;
    private MosquittoBroker _broker = null!;

    [OneTimeSetUp]
    public async Task StartBroker()
    {
        _folder = new TempFolder("diagnose");
        _pki = new TestPki(_folder.Path);
        var (cert, key) = _pki.IssueServer();
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaFile, cert, key);
    }

    [OneTimeTearDown]
    public async Task StopBroker()
    {
        await _broker.DisposeAsync();
        _pki.Dispose();
        _folder.Dispose();
    }

    private static async Task<(int ExitCode, JsonNode Report)> Diagnose(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "kioskctl.dll"), "diagnose", "--json", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, JsonNode.Parse(await stdout)!);
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
        Assert.That(report["checks"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()), Is.SupersetOf(new[] { "dns", "tcp", "tls handshake", "broker certificate chain", "broker certificate name", "client certificate dates", "broker certificate dates", "disk" }));
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
