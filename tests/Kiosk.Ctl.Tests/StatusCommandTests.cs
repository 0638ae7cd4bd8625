using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Ctl.Tests;

/// <summary>kioskctl status (run as a process) against a whole agent running in this process, and against none.</summary>
[NonParallelizable]
public sealed class StatusCommandTests
{
    private MosquittoBroker _broker = null!;
    private TempFolder _folder = null!;

    [SetUp]
    public async Task SetUp()
    {
        _broker = await MosquittoBroker.StartAsync();
        _folder = new TempFolder("ctl-status");
    }

    [TearDown]
    public async Task TearDown()
    {
        await _broker.DisposeAsync();
        _folder.Dispose();
    }

    private string DataFolder => _folder.File("agent");

    /// <summary>The agent's configuration file as an installed kiosk has it (only what kioskctl reads matters here).</summary>
    private string WriteConfig(string url = "http://127.0.0.1:0")
    {
        var path = _folder.File("agent.json");
        File.WriteAllText(path, new JsonObject
        {
            ["Kiosk"] = new JsonObject
            {
                ["SiteId"] = "site-c",
                ["KioskId"] = "kiosk-c",
                [nameof(DataFolder)] = DataFolder,
                ["LocalApi"] = new JsonObject { ["Url"] = url },
            },
        }.ToJsonString());
        return path;
    }

    [Test]
    public async Task Status_of_a_running_agent_gives_identity_link_backlog_and_devices_as_JSON()
    {
        await using var agent = Agent(DataFolder, _broker.Port);
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null);
        await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 }));
        // In flight once the broker has accepted it: sent, and waiting for the platform (which never acknowledges here).
        using (var http = LocalApiHttp.Client(DataFolder))
        {
            await Eventually.TrueAsync(
                async () => JsonNode.Parse(await http.GetStringAsync(new Uri(agent.LocalApi!, "/api/status")))!["sync"]!["inFlight"]!.GetValue<int>() >= 1,
                "the record sent and waiting for the platform");
        }

        var (exit, stdout, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("status", "--config", WriteConfig(), "--json");
        Assert.That(exit, Is.Zero, stdout + stderr);
        var status = JsonNode.Parse(stdout)!;
        Assert.Multiple(() =>
        {
            Assert.That(status["siteId"]!.GetValue<string>(), Is.EqualTo("site-c"));
            Assert.That(status["kioskId"]!.GetValue<string>(), Is.EqualTo("kiosk-c"));
            Assert.That(status["profile"]!.GetValue<string>(), Is.EqualTo("demo"));
            Assert.That(status["bootId"]!.GetValue<string>(), Is.EqualTo(agent.Services.GetRequiredService<AgentIdentity>().BootId));
            Assert.That(status["agentVersion"]!.GetValue<string>(), Is.EqualTo(AgentIdentity.AgentVersion));
            Assert.That(status["uptimeS"]!.GetValue<double>(), Is.GreaterThan(0));
            Assert.That(status["healthy"]!.GetValue<bool>(), Is.True, stdout);
            Assert.That(status["problems"]!.AsArray(), Is.Empty);
            Assert.That(status["broker"]!["connected"]!.GetValue<bool>(), Is.True);
            Assert.That(status["broker"]!["port"]!.GetValue<int>(), Is.EqualTo(_broker.Port));
            Assert.That(status["broker"]!["lastConnectedAt"], Is.Not.Null);
            Assert.That(status["outbox"]!["records"]!.GetValue<long>(), Is.EqualTo(1), "no platform acknowledges here");
            Assert.That(status["outbox"]!["checkIns"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(status["sync"]!["published"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(status["sync"]!["inFlight"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(status["devices"]!.AsArray().Select(d => d!["name"]!.GetValue<string>()).ToList(), Has.Count.EqualTo(10).And.Member("fingerprintReader"));
            Assert.That(status["devices"]!.AsArray().All(d => d!["status"]!.GetValue<string>() == "online"), Is.True);
        });

        var table = await KioskctlProcess.RunInEmptyFolderAsync("status", "--data", DataFolder);
        Assert.That(table.ExitCode, Is.Zero, table.Stdout + table.Stderr);
        Assert.That(table.Stdout, Does.Contain("site-c / kiosk-c").And.Contain("connected").And.Contain("fingerprintReader").And.Contain("healthy"));
    }

    [Test]
    public async Task Status_of_an_agent_that_cannot_reach_its_broker_is_degraded_and_says_why()
    {
        var nowhere = FreePort.Next();
        await using var agent = Agent(DataFolder, nowhere);
        await agent.StartAsync();

        var (exit, stdout, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("status", "--data", DataFolder, "--json");
        Assert.That(exit, Is.EqualTo(1), stdout + stderr);
        var problems = JsonNode.Parse(stdout)!["problems"]!.AsArray().Select(p => p!.GetValue<string>()).ToList();
        Assert.That(problems, Has.Some.StartsWith($"not connected to the broker 127.0.0.1:{nowhere}"));

        var table = await KioskctlProcess.RunInEmptyFolderAsync("status", "--data", DataFolder);
        Assert.That(table.ExitCode, Is.EqualTo(1));
        Assert.That(table.Stdout, Does.Contain("degraded").And.Contain("not connected"));
    }

    [Test]
    public async Task Status_with_no_agent_running_exits_3_and_says_how_to_start_it()
    {
        var port = FreePort.Next();
        var (exit, stdout, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("status", "--config", WriteConfig($"http://127.0.0.1:{port}"));
        Assert.That(exit, Is.EqualTo(3), stdout);
        Assert.That(stderr, Does.Contain($"the agent is not running (no answer at http://127.0.0.1:{port}").And.Contain("systemctl start kiosk-agent"));

        // A local-api.url left by an agent that was killed points at nothing: still "not running", naming the file.
        Directory.CreateDirectory(DataFolder);
        File.WriteAllText(LocalApiUrlFile.PathIn(DataFolder), $"http://127.0.0.1:{FreePort.Next()}\n");
        var stale = await KioskctlProcess.RunInEmptyFolderAsync("status", "--data", DataFolder, "--json");
        Assert.That(stale.ExitCode, Is.EqualTo(3));
        Assert.That(stale.Stderr, Does.Contain("the agent is not running").And.Contain(LocalApiUrlFile.FileName));
        Assert.That(stale.Stdout, Is.Empty, "nothing for a script to mistake for a status");
    }

    [Test]
    public async Task A_configuration_that_does_not_exist_is_named()
    {
        var (exit, _, stderr) = await KioskctlProcess.RunInEmptyFolderAsync("status", "--config", _folder.File("missing.json"));
        Assert.That(exit, Is.EqualTo(3));
        Assert.That(stderr, Does.Contain("there is no configuration at").And.Contain("missing.json"));
    }

    /// <summary>The in-process agent of the kioskctl tests: kiosk-c of site-c, which never gives up on an unacknowledged record during a test.</summary>
    internal static TestAgent Agent(string dataFolder, int brokerPort, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?> { ["Kiosk:SiteId"] = "site-c", ["Kiosk:KioskId"] = "kiosk-c", ["Kiosk:Sync:AckTimeout"] = "00:10:00" };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new TestAgent(brokerPort, dataFolder, settings);
    }
}
