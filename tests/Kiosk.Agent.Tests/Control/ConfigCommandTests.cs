using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Outbox;
using Kiosk.Central.Commanding;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Tests.Control;

/// <summary>
/// <c>cmd/config</c> against a real Mosquitto and the central simulator, with the agent's configuration in a file as an
/// installed kiosk has it (the technician's, which cmd/config only reads) and the platform's settings in
/// <c>{DataFolder}/platform-config.json</c> over it (which cmd/config changes). A restart is played as the service manager
/// plays it: the stopped agent is disposed and a new one starts on the same data folder and file.
/// </summary>
public sealed class ConfigCommandTests
{
    [TestCase(false, TestName = "ABrokerPortNothingListensOnIsRolledBackAndNoRecordIsLost(no platform file before)")]
    [TestCase(true, TestName = "ABrokerPortNothingListensOnIsRolledBackAndNoRecordIsLost(platform file before)")]
    public async Task ABrokerPortNothingListensOnIsRolledBackAndNoRecordIsLost(bool platformFileBefore)
    {
        await using var testbed = await Testbed.StartAsync("config-rollback");
        var file = WriteConfig(testbed, "rollback", healthTimeout: "00:00:03");
        var before = File.ReadAllBytes(file);
        var platform = PlatformFile(testbed, "rollback");
        byte[]? platformBefore = null;
        if (platformFileBefore)
        {
            // As the platform left it, or as someone edited it: the rollback puts back these very bytes.
            platformBefore = "{ // tuned by the platform\r\n\t\"Kiosk\": { \"Sync\": { \"MaxMessagesPerSecond\": 40, } } }"u8.ToArray();
            Directory.CreateDirectory(Path.GetDirectoryName(platform)!);
            File.WriteAllBytes(platform, platformBefore);
        }

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
        Assert.That(ConfigValue(platform, "Sync", "BrokerPort"), Is.EqualTo(deadPort), "the change was written to the platform's settings");
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before), "the technician's file is not touched");
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
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before), "the technician's file is not touched");
        if (platformBefore is null)
        {
            Assert.That(File.Exists(platform), Is.False, "there was no platform's file before the change: the rollback deletes it");
        }
        else
        {
            Assert.That(File.ReadAllBytes(platform), Is.EqualTo(platformBefore), "the previous platform's file is back, byte for byte");
        }

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
        var before = File.ReadAllBytes(file);
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
        Assert.That(ConfigValue(PlatformFile(testbed, "good"), "Sync", "MaxMessagesPerSecond"), Is.EqualTo(50), "typed as a number, as kioskctl writes it");
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before), "the technician's file is not touched");
        Assert.That(second.Services.GetRequiredService<IOptions<SyncOptions>>().Value.MaxMessagesPerSecond, Is.EqualTo(50), "the platform's value wins over the technician's 20");
        Assert.That(second.RestartReason, Is.Null);
    }

    [Test]
    public async Task ThePlatformsValueWinsAndARemovedKeyFallsBackToTheTechniciansValue()
    {
        await using var testbed = await Testbed.StartAsync("config-remove");
        var file = WriteConfig(testbed, "remove", healthTimeout: null);
        var before = File.ReadAllBytes(file);
        WritePlatform(testbed, "remove", new JsonObject { ["Kiosk"] = new JsonObject { ["Sync"] = new JsonObject { ["MaxMessagesPerSecond"] = 50, ["KeepAlive"] = "00:00:20" } } });
        var first = testbed.Agent("remove", configFile: file);
        await first.StartAsync();
        Assert.That(first.Services.GetRequiredService<IOptions<SyncOptions>>().Value.MaxMessagesPerSecond, Is.EqualTo(50), "the platform's file is over the technician's");
        await Eventually.TrueAsync(() => first.Status.LastConnectedAt is not null, "connected");

        var commandId = await testbed.Central.SendCommandAsync("site-t", "kiosk-t", "config", new JsonObject { ["remove"] = new JsonArray("Kiosk:Sync:MaxMessagesPerSecond") }, CancellationToken.None);
        await Eventually.TrueAsync(() => first.RestartReason is not null, "the agent stopped to apply the change");
        await first.DisposeAsync();
        await using var second = testbed.Agent("remove", configFile: file);
        await second.StartAsync();
        using var wait = new CancellationTokenSource(Eventually.DefaultBound);
        var result = await testbed.Central.WaitForCommandResultAsync(commandId, wait.Token);

        Assert.That(result.Status, Is.EqualTo("done"), result.Message);
        Assert.That((string?)result.Detail?["changes"]?[0]?["new"], Is.EqualTo("20"), "the technician's value, which applies again");
        var sync = second.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
        Assert.That(sync.MaxMessagesPerSecond, Is.EqualTo(20), "back to the technician's value");
        Assert.That(sync.KeepAlive, Is.EqualTo(TimeSpan.FromSeconds(20)), "the platform's other key stays");
        Assert.That(ConfigValue(PlatformFile(testbed, "remove"), "Sync", "MaxMessagesPerSecond"), Is.Null);
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before), "the technician's file is not touched");
    }

    [Test]
    public async Task KeysThePlatformMayNotChangeAreIgnoredInItsFileAtStart()
    {
        await using var testbed = await Testbed.StartAsync("config-planted");
        var file = WriteConfig(testbed, "planted", healthTimeout: null);
        var dataFolder = testbed.Folder.File("planted");
        var elsewhere = testbed.Folder.File("elsewhere");
        WritePlatform(testbed, "planted", JsonNode.Parse($$"""
            {
              "Kiosk": {
                "DataFolder": {{JsonValue.Create(elsewhere).ToJsonString()}},
                "profile": "production",
                "Sync": { "MaxMessagesPerSecond": 33, "Tls": { "Enabled": true, "CaFile": "/tmp/planted-ca.pem" } },
                "Provisioning": { "CommandSigningKeyFile": "/tmp/planted-key.pem" },
                "LocalApi": { "Url": "http://0.0.0.0:8080" }
              },
              "Urls": "http://0.0.0.0:9090"
            }
            """)!.AsObject());
        using var log = new LogRecorder();
        await using var agent = testbed.Agent("planted", configFile: file, configure: b => b.Logging.AddProvider(log));
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "connected: nothing planted took effect");

        var kiosk = agent.Services.GetRequiredService<IOptions<KioskOptions>>().Value;
        var sync = agent.Services.GetRequiredService<IOptions<SyncOptions>>().Value;
        Assert.Multiple(() =>
        {
            Assert.That(kiosk.DataFolder, Is.EqualTo(dataFolder));
            Assert.That(kiosk.Profile, Is.EqualTo("demo"));
            Assert.That(sync.Tls.Enabled, Is.False);
            Assert.That(sync.Tls.CaFile, Is.Empty);
            Assert.That(agent.Services.GetRequiredService<IOptions<ProvisioningOptions>>().Value.CommandSigningKeyFile, Is.EqualTo(TestPlatformKey.PublicKeyFile));
            Assert.That(agent.LocalApi?.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(sync.MaxMessagesPerSecond, Is.EqualTo(33), "a key the platform may change is taken");
            Assert.That(Directory.Exists(elsewhere), Is.False);
            foreach (var key in new[] { "Kiosk:DataFolder", "Kiosk:profile", "Kiosk:Sync:Tls:Enabled", "Kiosk:Sync:Tls:CaFile", "Kiosk:Provisioning:CommandSigningKeyFile", "Kiosk:LocalApi:Url", "Urls" })
            {
                Assert.That(log.Lines, Has.Some.Contains("[2324]").And.Contains(" set " + key + ", "), key);
            }

            Assert.That(log.Lines.Where(l => l.Contains("[2324]", StringComparison.Ordinal)), Has.None.Contains("MaxMessagesPerSecond"));
        });
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
        var removedBase = await RunAsync(testbed, new JsonObject { ["remove"] = new JsonArray("Kiosk:Sync:BrokerHost") });
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
            Assert.That(removedBase.Status, Is.EqualTo("done"), "a key only the technician's file sets is not the platform's to remove");
            Assert.That(removedBase.Message, Does.StartWith("unchanged"));
        });
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(before));
        Assert.That(File.Exists(PlatformFile(testbed, "refused")), Is.False);
        Assert.That(agent.RestartReason, Is.Null);
    }

    [Test]
    public async Task APlatformFileThatIsNotJsonIsIgnoredAtStartAndTheCommandFailsWithoutTouchingIt()
    {
        await using var testbed = await Testbed.StartAsync("config-broken");
        var file = WriteConfig(testbed, "broken", healthTimeout: null);
        var platform = PlatformFile(testbed, "broken");
        Directory.CreateDirectory(Path.GetDirectoryName(platform)!);
        File.WriteAllText(platform, "{ \"Kiosk\": { \"Sync\": { \"MaxMessagesPerSecond\": 33 ");
        var broken = File.ReadAllBytes(platform);
        using var log = new LogRecorder();
        await using var agent = testbed.Agent("broken", configFile: file, configure: b => b.Logging.AddProvider(log));
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "connected on the technician's settings");

        var result = await RunAsync(testbed, new JsonObject { ["set"] = new JsonObject { ["Kiosk:Sync:MaxMessagesPerSecond"] = "50" } });

        Assert.That(agent.Services.GetRequiredService<IOptions<SyncOptions>>().Value.MaxMessagesPerSecond, Is.EqualTo(20));
        Assert.That(log.Lines, Has.Some.Contains("[2325]").And.Contains(platform).And.Contains("not valid JSON"));
        Assert.That(result.Status, Is.EqualTo("failed"));
        Assert.That(result.Message, Does.Contain(platform).And.Contain("nothing changed"));
        Assert.That(File.ReadAllBytes(platform), Is.EqualTo(broken));
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
        var sync = new JsonObject { ["BrokerHost"] = "127.0.0.1", ["BrokerPort"] = testbed.Port, ["MaxMessagesPerSecond"] = 20 };
        var kiosk = new JsonObject { ["SiteId"] = "site-t", ["KioskId"] = "kiosk-t", ["Profile"] = "demo", ["DataFolder"] = testbed.Folder.File(name), ["Sync"] = sync };
        if (healthTimeout is not null)
        {
            kiosk["Control"] = new JsonObject { ["ConfigHealthTimeout"] = healthTimeout };
        }

        var path = testbed.Folder.File(name + ".json");
        File.WriteAllText(path, new JsonObject { ["Kiosk"] = kiosk }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }

    private static string PlatformFile(Testbed testbed, string name) => Path.Combine(testbed.Folder.File(name), PlatformConfig.FileName);

    private static void WritePlatform(Testbed testbed, string name, JsonObject content)
    {
        var path = PlatformFile(testbed, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ToJsonString());
    }

    private static int? ConfigValue(string file, string section, string key) =>
        (int?)JsonNode.Parse(File.ReadAllText(file))?["Kiosk"]?[section]?[key];

    private static NewRecord Record(string phase, int i) => new(RecordKind.Audit, new JsonObject { ["event"] = "test", ["phase"] = phase, ["n"] = i });
}
