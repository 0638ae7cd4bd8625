using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kiosk.Central;
using Kiosk.Central.Provisioning;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// The whole field path, as a technician walks it on a new kiosk, on this machine: install.ps1 stages the kiosk, the
/// staged kioskctl gives it its identity (init), enrolls it with the platform through a TLS Mosquitto (enroll), the
/// staged agent connects over mutual TLS and a check-in reaches the platform; then -Upgrade and -Rollback leave the
/// previous release running, and -Uninstall leaves the data.
/// </summary>
[NonParallelizable]
public sealed class FieldPathTests
{
    private const string Site = "site-field";
    private const string KioskId = "kiosk-field-01";

    private TempFolder _folder = null!;
    private SimulatorPkiFiles _pki = null!;
    private MosquittoBroker _broker = null!;
    private CentralPlatform _central = null!;
    private StagedKiosk _kiosk = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public async Task StartPlatformAsync()
    {
        _folder = new TempFolder("field-path");
        _pki = SimulatorPki.Create(_folder.File("platform"));
        _broker = await MosquittoBroker.StartWithTlsAsync(_pki.CaCertificateFile, _pki.BrokerCertificateFile, _pki.BrokerKeyFile);
        _central = new CentralPlatform(new CentralOptions
        {
            BrokerPort = _broker.Port,
            DatabasePath = _folder.File("central.db"),
            ClientId = "central-field-" + Guid.NewGuid().ToString("N"),
            Provisioning = new ProvisioningOptions { CaCertificateFile = _pki.CaCertificateFile, CaKeyFile = _pki.CaKeyFile, CommandSigningKeyFile = _pki.CommandSigningKeyFile },
        });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _central.StartAsync(timeout.Token);
        _kiosk = new StagedKiosk(_folder.File("root"));
        _http = LocalApiHttp.Client(_kiosk.DataFolder);
    }

    [OneTimeTearDown]
    public async Task StopPlatformAsync()
    {
        _http.Dispose();
        await _central.DisposeAsync();
        await _broker.DisposeAsync();
        _folder.Dispose();
    }

    [Test]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Install_init_enroll_sync_over_mutual_TLS_upgrade_rollback_and_uninstall_keeping_the_data()
    {
        // 1. install.ps1 -Install -Root: the layout, its modes and a unit systemd accepts.
        Expect(await _kiosk.InstallAsync(TestPackages.Full("1.0.0")), "install");
        Assert.Multiple(() =>
        {
            Assert.That(_kiosk.CurrentVersion, Is.EqualTo("1.0.0"));
            Assert.That(File.GetUnixFileMode(_kiosk.ConfigFile), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead));
            Assert.That(File.GetUnixFileMode(_kiosk.PkiFolder), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute));
            Assert.That(File.GetUnixFileMode(_kiosk.DataFolder), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute));
            Assert.That(File.ReadAllText(_kiosk.UnitFile), Does.Contain("Type=notify").And.Contain("ProtectSystem=strict").And.Contain("Restart=always"));
        });
        if (InstallScript.FindOnPath("systemd-analyze") is { } analyze)
        {
            var verify = await InstallScript.RunProcessAsync(analyze, ["verify", _kiosk.UnitFile], null, _folder.Path, TimeSpan.FromMinutes(1));
            Assert.That(verify.ExitCode, Is.Zero, verify.ToString());
            Assert.That(verify.Output, Does.Not.Contain("kiosk-agent.service"), "systemd-analyze has nothing to say about the unit");
        }

        // 2. kioskctl init: identity, a key that never leaves the kiosk, a CSR, the broker.
        Expect(await _kiosk.RunKioskctlAsync("init", "--site", Site, "--kiosk", KioskId, "--broker", $"mqtts://127.0.0.1:{_broker.TlsPort}",
            "--provisioning-port", _broker.ProvisioningPort.ToString(CultureInfo.InvariantCulture)), "kioskctl init");

        // 3. kioskctl enroll with a one-time token, through the broker's TLS provisioning listener; a second use is refused.
        var token = _central.IssueEnrollmentToken(Site, KioskId, TimeSpan.FromHours(1));
        Expect(await _kiosk.RunKioskctlAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile), "kioskctl enroll");
        var reused = await _kiosk.RunKioskctlAsync("enroll", "--token", token, "--ca", _pki.CaCertificateFile);
        Assert.That(reused.ExitCode, Is.EqualTo(1), reused.ToString());
        Assert.That(reused.Output, Does.Contain("already used"));

        // This test's machine has no kiosk hardware, so no device is configured (the production agent knows no simulator:
        // kioskctl refuses one and leaves the file as it was), and the local API takes a free loopback port.
        var refused = await _kiosk.RunKioskctlAsync("config", "set", "Kiosk:Devices:IdCardReader", "Simulated");
        Assert.That(refused.ExitCode, Is.EqualTo(1), refused.ToString());
        Assert.That(refused.Output, Does.Contain("is a simulator"));
        Expect(await _kiosk.RunKioskctlAsync("config", "set", "Kiosk:LocalApi:Url", "http://127.0.0.1:0"), "config set");
        Expect(await _kiosk.RunKioskctlAsync("config", "validate"), "config validate");
        var config = JsonNode.Parse(File.ReadAllText(_kiosk.ConfigFile))!["Kiosk"]!;
        Assert.That((bool?)config["Sync"]!["Tls"]!["Enabled"], Is.True, "enroll turned on mutual TLS");
        Assert.That((string?)config["Profile"], Is.EqualTo("production"));
        Assert.That(config["Devices"]?["IdCardReader"], Is.Null);

        // 4. The staged agent starts with the new identity and connects over mutual TLS. Until the platform sends a roster
        // it takes no check-in and says so; what a person does reach the platform is a call for staff.
        string recordId;
        using (var agent = await StartAgentAsync())
        {
            var status = await WaitConnectedAsync(agent);
            Assert.Multiple(() =>
            {
                Assert.That((string?)status["siteId"], Is.EqualTo(Site));
                Assert.That((string?)status["kioskId"], Is.EqualTo(KioskId));
                Assert.That((bool?)status["broker"]!["tls"], Is.True);
                Assert.That((int?)status["broker"]!["port"], Is.EqualTo(_broker.TlsPort), "the mutual-TLS listener, the only one that takes client certificates");
                Assert.That((string?)status["agentVersion"], Is.EqualTo("1.0.0"));
                Assert.That((bool?)status["roster"]!["loaded"], Is.False);
            });

            recordId = await CallStaffAsync();
            var kioskctlStatus = await _kiosk.RunKioskctlAsync("status", "--json");
            Assert.That(kioskctlStatus.ExitCode, Is.EqualTo(1), "degraded until the platform sends the roster: " + kioskctlStatus);
            Assert.That(kioskctlStatus.Output, Does.Contain("no roster"));

            // diagnose with no options checks what the configuration names: the enrolled files, the clock, the outbox.
            var diagnose = await _kiosk.RunKioskctlAsync("diagnose", "--json");
            Assert.That(diagnose.ExitCode, Is.Zero, diagnose.ToString());
            Assert.That(JsonNode.Parse(diagnose.StandardOutput)!["checks"]!.AsArray().Select(c => (string?)c!["name"]),
                Is.SupersetOf(new[] { "tls handshake", "client certificate dates", "clock", "outbox integrity", "backlog" }));
            await StopAsync(agent);
        }

        // The sealed alert used the key from the systemd credential: no key file was written.
        if (StagedKiosk.SystemdCreds is not null)
        {
            Assert.That(File.ReadAllText(_kiosk.OutboxKeyFile), Is.EqualTo("KIOSK-CREDENTIAL outbox.key\n"), "the key file only names the credential");
        }

        // 5. -Upgrade keeps 1.0.0 as previous and runs 1.1.0; -Rollback runs 1.0.0 again, which still works.
        Expect(await _kiosk.UpgradeAsync(TestPackages.Full("1.1.0")), "upgrade");
        Assert.That((_kiosk.CurrentVersion, _kiosk.PreviousVersion), Is.EqualTo(("1.1.0", "1.0.0")));
        using (var agent = await StartAgentAsync())
        {
            Assert.That((string?)(await WaitConnectedAsync(agent))["agentVersion"], Is.EqualTo("1.1.0"));
            await StopAsync(agent);
        }

        Expect(await _kiosk.RollbackAsync(), "rollback");
        Assert.That(_kiosk.CurrentVersion, Is.EqualTo("1.0.0"));
        using (var agent = await StartAgentAsync())
        {
            Assert.That((string?)(await WaitConnectedAsync(agent))["agentVersion"], Is.EqualTo("1.0.0"), "the previous release is the one running");
            var again = await CallStaffAsync(afterRecord: recordId);
            Assert.That(again, Is.Not.EqualTo(recordId), "a new alert after the rollback reached the platform");
            await StopAsync(agent);
        }

        // 6. -Uninstall removes the program and the unit, and leaves the configuration, the keys and the data.
        Expect(await _kiosk.UninstallAsync(), "uninstall");
        Assert.Multiple(() =>
        {
            Assert.That(Directory.Exists(_kiosk.ProgramFolder), Is.False);
            Assert.That(File.Exists(_kiosk.UnitFile), Is.False);
            Assert.That(File.Exists(_kiosk.ConfigFile), Is.True);
            Assert.That(File.Exists(Path.Combine(_kiosk.PkiFolder, "device.key")), Is.True);
            Assert.That(File.Exists(Path.Combine(_kiosk.DataFolder, "outbox.db")), Is.True);
        });
        Assert.That((await _central.GetStoredRecordsAsync(CancellationToken.None)).Count(r => r.RecordId == recordId), Is.EqualTo(1), "stored once");
    }

    private static void Expect(ProcessResult result, string step) =>
        Assert.That(result.ExitCode, Is.Zero, $"{step} failed: {result}");

    /// <summary>The staged agent as its unit runs it: dotnet current/agent/kiosk-agent.dll, KIOSK_CONFIG, the data folder,
    /// and the outbox key from its credential in CREDENTIALS_DIRECTORY.</summary>
    private async Task<RunningAgent> StartAgentAsync()
    {
        File.Delete(Path.Combine(_kiosk.DataFolder, "local-api.url"));
        var start = new ProcessStartInfo(InstallScript.FindOnPath("dotnet") ?? "dotnet", [Path.Combine(_kiosk.Current, "agent", "kiosk-agent.dll")])
        {
            WorkingDirectory = _kiosk.DataFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["KIOSK_CONFIG"] = _kiosk.ConfigFile;
        foreach (var (name, value) in await _kiosk.CredentialEnvironmentAsync())
        {
            start.Environment[name] = value;
        }

        return new RunningAgent(Process.Start(start)!);
    }

    private async Task<JsonNode> WaitConnectedAsync(RunningAgent agent)
    {
        JsonNode? status = null;
        await EventuallyAsync(async () =>
        {
            Assert.That(agent.Process.HasExited, Is.False, () => "the agent exited: " + agent.Output);
            var url = Path.Combine(_kiosk.DataFolder, "local-api.url");
            if (!File.Exists(url))
            {
                return false;
            }

            status = await _http.GetFromJsonAsync<JsonNode>(new Uri(new Uri(File.ReadAllText(url).Trim()), "/api/status"));
            return (bool?)status!["broker"]!["connected"] == true;
        }, "the agent connects to the broker", agent);
        return status!;
    }

    /// <summary>
    /// A person presses "call staff" on the screen: the alert is sealed in the outbox and reaches the platform. Returns the
    /// stored alert's record id (one stored after <paramref name="afterRecord"/>, when given).
    /// </summary>
    private async Task<string> CallStaffAsync(string? afterRecord = null)
    {
        var api = new Uri(File.ReadAllText(Path.Combine(_kiosk.DataFolder, "local-api.url")).Trim());
        using var response = await _http.PostAsJsonAsync(new Uri(api, "/api/session/call-staff"), new { reason = "help with the screen" });
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
        string? stored = null;
        await EventuallyAsync(async () =>
        {
            stored = (await _central.GetStoredRecordsAsync(CancellationToken.None))
                .Where(r => r.Kind == "alert" && r.Json.Contains("callStaff", StringComparison.Ordinal) && r.RecordId != afterRecord)
                .Select(r => r.RecordId)
                .FirstOrDefault(id => afterRecord is null || string.CompareOrdinal(id, afterRecord) > 0);
            return stored is not null;
        }, "the platform stores the call for staff");
        return stored!;
    }

    private static async Task StopAsync(RunningAgent agent)
    {
        // SIGTERM, as systemctl stop sends it: the agent stops cleanly and removes its local-api.url.
        using (var kill = Process.Start("kill", ["-TERM", agent.Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await agent.Process.WaitForExitAsync(timeout.Token);
        Assert.That(agent.Process.ExitCode, Is.Zero, () => "a clean stop: " + agent.Output);
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, RunningAgent? agent = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out waiting until {what}" + (agent is null ? "" : "; agent output: " + agent.Output));
            }

            await Task.Delay(100);
        }
    }

    /// <summary>An agent process and everything it printed.</summary>
    private sealed class RunningAgent : IDisposable
    {
        private readonly System.Text.StringBuilder _output = new();

        public RunningAgent(Process process)
        {
            Process = process;
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        private void Append(string? line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
            }

            Process.Dispose();
        }
    }
}
