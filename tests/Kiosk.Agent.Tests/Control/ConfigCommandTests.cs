using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Central.Commanding;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.Control;

/// <summary>
/// <c>cmd/config</c> against a real Mosquitto and the central simulator, with the agent's configuration in a file as an
/// installed kiosk has it. A restart is played as the service manager plays it: the stopped agent is disposed and a new
/// one starts on the same data folder and file.
/// </summary>
public sealed class ConfigCommandTests
{
    [Test]
    public async Task ABrokerPortNothingListensOnIsRolledBackAndNoRecordIsLost()
    {
        await using var testbed = await Testbed.StartAsync("config-rollback");
        var file = WriteConfig(testbed, "rollback", healthTimeout: "00:00:03");
        var before = File.ReadAllBytes(file);
        var committed = new List<string>();

        var first = testbed.Agent("rollback", configFile: file);
        await first.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            committed.Add((await first.CommitAsync(Record("before", i))).RecordId);
        }

        await first.WaitAcknowledgedAsync(committed);
        var deadPort = FreePort.Next();
        var commandId = await testbed.Central.SendCommandAsync("site-t", "kiosk-t", "config", new JsonObject
        {
            ["set"] = new JsonObject { ["Kiosk:Sync:BrokerPort"] = deadPort.ToString(CultureInfo.InvariantCulture) },
        }, CancellationToken.None);
        await Eventually.TrueAsync(() => first.RestartReason is not null, "the agent stopped to apply the change");
        Assert.That(ConfigValue(file, "Sync", "BrokerPort"), Is.EqualTo(deadPort), "the change was written");
        await first.DisposeAsync();

        // Started again by the service manager with the bad port: it cannot connect, records wait in the outbox.
        var second = testbed.Agent("rollback", configFile: file);
        await second.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            committed.Add((await second.CommitAsync(Record("during", i))).RecordId);
        }

        await Eventually.TrueAsync(() => second.RestartReason is not null, "the agent rolled back and stopped to restart");
        Assert.That(second.Status.LastConnectedAt, Is.Null);
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before), "the previous file is back, byte for byte");
        await second.DisposeAsync();

        await using var third = testbed.Agent("rollback", configFile: file);
        await third.StartAsync();
        committed.Add((await third.CommitAsync(Record("after", 0))).RecordId);
        using var wait = new CancellationTokenSource(Eventually.DefaultBound);
        var result = await testbed.Central.WaitForCommandResultAsync(commandId, wait.Token);

        Assert.That(result.Status, Is.EqualTo("failed"));
        Assert.That(result.Message, Does.Contain("rolled back").And.Contain("did not connect"));
        Assert.That((bool?)result.Detail?["rolledBack"], Is.True);
        Assert.That((string?)result.Detail?["changes"]?[0]?["key"], Is.EqualTo("Kiosk:Sync:BrokerPort"));
        await third.WaitAcknowledgedAsync(committed.Skip(3).Append(result.RecordId));
        var stored = (await testbed.Central.GetStoredRecordsAsync(CancellationToken.None)).Select(r => r.RecordId).ToHashSet();
        Assert.That(committed.Where(id => !stored.Contains(id)), Is.Empty, "every record committed before, during and after reached the platform");
        await Eventually.TrueAsync(async () => (await third.Outbox.GetTotalsAsync(CancellationToken.None)).Records == 0, "the outbox is empty");
        Assert.That(third.RestartReason, Is.Null);
    }

    [Test]
    public async Task AGoodChangeIsAppliedAfterTheRestart()
    {
        await using var testbed = await Testbed.StartAsync("config-good");
        var file = WriteConfig(testbed, "good", healthTimeout: null);
        var first = testbed.Agent("good", configFile: file);
        await first.StartAsync();
        await Eventually.TrueAsync(() => first.Status.LastConnectedAt is not null, "connected");
        var commandId = await testbed.Central.SendCommandAsync("site-t", "kiosk-t", "config", new JsonObject
        {
            ["set"] = new JsonObject { ["Kiosk:Sync:MaxMessagesPerSecond"] = "50", ["Logging:LogLevel:Kiosk"] = "Information" },
        }, CancellationToken.None);
        await Eventually.TrueAsync(() => first.RestartReason is not null, "the agent stopped to apply the change");
        await first.DisposeAsync();

        await using var second = testbed.Agent("good", configFile: file);
        await second.StartAsync();
        using var wait = new CancellationTokenSource(Eventually.DefaultBound);
        var result = await testbed.Central.WaitForCommandResultAsync(commandId, wait.Token);

        Assert.That(result.Status, Is.EqualTo("done"), result.Message);
        Assert.That((bool?)result.Detail?["rolledBack"], Is.False);
        Assert.That(ConfigValue(file, "Sync", "MaxMessagesPerSecond"), Is.EqualTo(50), "typed as a number, as kioskctl writes it");
        Assert.That(second.RestartReason, Is.Null);
    }

    [Test]
    public async Task DeniedUnknownAndInvalidKeysAreRefusedAndTheFileIsUnchanged()
    {
        await using var testbed = await Testbed.StartAsync("config-refused");
        var file = WriteConfig(testbed, "refused", healthTimeout: null);
        var before = File.ReadAllBytes(file);
        await using var agent = testbed.Agent("refused", configFile: file);
        await agent.StartAsync();

        var denied = await RunAsync(testbed, new JsonObject { ["set"] = new JsonObject { ["Kiosk:Sync:Tls:ClientKeyFile"] = "/tmp/key.pem" } });
        var dataFolder = await RunAsync(testbed, new JsonObject { ["set"] = new JsonObject { ["Kiosk:DataFolder"] = "/tmp/elsewhere" } });
        var unknown = await RunAsync(testbed, new JsonObject { ["set"] = new JsonObject { ["Kiosk:Sync:MaxMessagesPerSecnd"] = "50" } });
        var invalid = await RunAsync(testbed, new JsonObject { ["set"] = new JsonObject { ["Kiosk:Sync:BrokerPort"] = "99999" } });
        var malformed = await RunAsync(testbed, new JsonObject { ["set"] = new JsonObject { ["Kiosk:Sync:BrokerPort"] = new JsonArray() } });

        Assert.Multiple(() =>
        {
            Assert.That(denied.Status, Is.EqualTo("refused"));
            Assert.That(denied.Message, Does.Contain("Kiosk:Sync:Tls:ClientKeyFile").And.Contain("kioskctl config set"));
            Assert.That(dataFolder.Message, Does.Contain("Kiosk:DataFolder").And.Contain("may not be changed remotely"));
            Assert.That(unknown.Status, Is.EqualTo("refused"));
            Assert.That(unknown.Message, Does.Contain("did you mean Kiosk:Sync:MaxMessagesPerSecond"));
            Assert.That(invalid.Status, Is.EqualTo("refused"));
            Assert.That(invalid.Message, Does.Contain("Kiosk:Sync:BrokerPort must be a TCP port between 1 and 65535"));
            Assert.That(malformed.Status, Is.EqualTo("refused"));
            Assert.That(malformed.Message, Does.Contain("Kiosk:Sync:BrokerPort"));
        });
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before));
        Assert.That(agent.RestartReason, Is.Null);
    }

    [Test]
    public async Task AnAgentWithoutAConfigurationFileRefuses()
    {
        await using var testbed = await Testbed.StartAsync("config-none");
        await using var agent = testbed.Agent("none");
        await agent.StartAsync();

        var result = await RunAsync(testbed, new JsonObject { ["set"] = new JsonObject { ["Kiosk:Sync:MaxMessagesPerSecond"] = "50" } });

        Assert.That(result.Status, Is.EqualTo("refused"));
        Assert.That(result.Message, Does.Contain("without a configuration file").And.Contain("KIOSK_CONFIG"));
        Assert.That(agent.RestartReason, Is.Null);
    }

    private static async Task<CommandResultView> RunAsync(Testbed testbed, JsonObject arguments)
    {
        var commandId = await testbed.Central.SendCommandAsync("site-t", "kiosk-t", "config", arguments, CancellationToken.None);
        using var wait = new CancellationTokenSource(Eventually.DefaultBound);
        return await testbed.Central.WaitForCommandResultAsync(commandId, wait.Token);
    }

    /// <summary>The file an installed kiosk would have (kioskctl init writes one like it); the testbed's in-memory settings fill in the rest.</summary>
    private static string WriteConfig(Testbed testbed, string name, string? healthTimeout)
    {
        var sync = new JsonObject { ["BrokerHost"] = "127.0.0.1", ["BrokerPort"] = testbed.Port };
        var kiosk = new JsonObject { ["SiteId"] = "site-t", ["KioskId"] = "kiosk-t", ["Profile"] = "demo", ["DataFolder"] = testbed.Folder.File(name), ["Sync"] = sync };
        if (healthTimeout is not null)
        {
            kiosk["Control"] = new JsonObject { ["ConfigHealthTimeout"] = healthTimeout };
        }

        var path = testbed.Folder.File(name + ".json");
        File.WriteAllText(path, new JsonObject { ["Kiosk"] = kiosk }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }

    private static int? ConfigValue(string file, string section, string key) =>
        (int?)JsonNode.Parse(File.ReadAllText(file))?["Kiosk"]?[section]?[key];

    private static NewRecord Record(string phase, int i) => new(RecordKind.Audit, new JsonObject { ["event"] = "test", ["phase"] = phase, ["n"] = i });
}
