using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Sync;
using Kiosk.Agent.Tests.Sync;
using Kiosk.Central.Signing;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Agent.Tests.Control;

/// <summary>
/// Commands from the platform simulator to an agent through Mosquitto: each is signed, runs once, and its result comes
/// back as a commandResult record, also when the kiosk was away when the command was sent or stopped right after it.
/// What travelled on the broker matches the contract's schemas.
/// </summary>
public sealed class CommandEndToEndTests
{
    private const string Site = "site-t";
    private const string KioskId = "kiosk-t";
    private Testbed _testbed = null!;

    [SetUp]
    public async Task SetUp() => _testbed = await Testbed.StartAsync("commands");

    [TearDown]
    public async Task TearDown() => await _testbed.DisposeAsync();

    private static async Task<Kiosk.Central.Commanding.CommandResultView> ResultAsync(Kiosk.Central.CentralPlatform central, string commandId)
    {
        using var bound = new CancellationTokenSource(Eventually.DefaultBound);
        return await central.WaitForCommandResultAsync(commandId, bound.Token);
    }

    /// <summary>Every platform message seen on the broker: envelope, header and payload each match their schema.</summary>
    private static void AssertSignedMessagesMatchTheirSchemas(BrokerObserver observer, string expectedCommand)
    {
        var commands = observer.Messages.Where(m => m.Topic.Contains("/cmd/", StringComparison.Ordinal)).ToList();
        Assert.That(commands.Select(m => m.Topic.Split('/')[^1]), Does.Contain(expectedCommand));
        foreach (var (topic, text) in commands)
        {
            var envelope = Encoding.UTF8.GetBytes(text);
            Assert.That(ContractSchema.Errors("signed-message.schema.json", text), Is.Empty, topic);
            Assert.That(ContractSchema.Errors("signed-header.schema.json", Encoding.UTF8.GetString(PlatformSigner.HeaderOf(envelope))), Is.Empty, topic);
            var body = Encoding.UTF8.GetString(PlatformSigner.PayloadOf(envelope));
            Assert.That(ContractSchema.Errors($"cmd-{topic.Split('/')[^1]}.schema.json", body), Is.Empty, $"{topic}: {body}");
        }
    }

    [Test]
    public async Task A_probe_returns_every_device_and_its_result_record_matches_the_contract()
    {
        using var observer = await BrokerObserver.StartAsync(_testbed.Port, "kiosk/v1/#");
        await using var agent = _testbed.Agent();
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "the agent connects");

        var commandId = await _testbed.Central.SendCommandAsync(Site, KioskId, "probe", [], CancellationToken.None);
        var result = await ResultAsync(_testbed.Central, commandId);

        var devices = agent.Services.GetRequiredService<Kiosk.Agent.Devices.DeviceSet>().All;
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo("done"), result.Message);
            Assert.That(result.Detail!["devices"]!.AsArray().Select(d => d!["device"]!.GetValue<string>()), Is.EquivalentTo(devices.Select(d => d.Name)));
            Assert.That(agent.Status.CommandsRun, Is.EqualTo(1));
        });

        await Eventually.TrueAsync(() => observer.Messages.Any(m => m.Topic.EndsWith("/records/commandResult", StringComparison.Ordinal)), "the result record was seen on the broker");
        var record = observer.Messages.First(m => m.Topic.EndsWith("/records/commandResult", StringComparison.Ordinal));
        Assert.That(ContractSchema.Errors("records.schema.json", record.Text), Is.Empty, record.Text);
        AssertSignedMessagesMatchTheirSchemas(observer, "probe");
    }

    [Test]
    public async Task A_command_sent_while_the_kiosk_is_away_runs_once_it_is_back()
    {
        // Sent before the kiosk has ever connected: the broker keeps nothing for it (CleanStart), the platform sends it
        // again after the kiosk's birth.
        var commandId = await _testbed.Central.SendCommandAsync(Site, KioskId, "probe", [], CancellationToken.None);
        await using var agent = _testbed.Agent();
        await agent.StartAsync();

        var result = await ResultAsync(_testbed.Central, commandId);
        Assert.That(result.Status, Is.EqualTo("done"), result.Message);
        Assert.That(agent.Status.CommandsRun, Is.EqualTo(1), "run once");
    }

    [Test]
    public async Task A_restart_waits_for_a_check_in_in_progress_and_its_result_survives_the_restart()
    {
        using var observer = await BrokerObserver.StartAsync(_testbed.Port, "kiosk/v1/#");
        var folder = _testbed.Folder.File("restarting");
        string forcedId;
        await using (var agent = _testbed.Agent("restarting"))
        {
            await agent.StartAsync();
            await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "the agent connects");
            await agent.Session.StartAsync(CancellationToken.None);

            var refusedId = await _testbed.Central.SendCommandAsync(Site, KioskId, "restart", [], CancellationToken.None);
            var refused = await ResultAsync(_testbed.Central, refusedId);
            Assert.That(refused.Status, Is.EqualTo("refused"), "a person is at the screen");
            Assert.That(agent.RestartReason, Is.Null);

            // Held back from the platform, so the result is still in the outbox when the agent stops.
            _testbed.Central.AcknowledgementsPaused = true;
            forcedId = await _testbed.Central.SendCommandAsync(Site, KioskId, "restart", new JsonObject { ["force"] = true }, CancellationToken.None);
            await Eventually.TrueAsync(() => agent.RestartReason is not null, "the agent asked to be restarted");
            Assert.That(agent.RestartReason, Does.Contain(forcedId));
        }

        // The service manager starts it again: the result of the restart is still there and goes out.
        _testbed.Central.AcknowledgementsPaused = false;
        await using (var again = new TestAgent(_testbed.Port, folder))
        {
            await again.StartAsync();
            var forced = await ResultAsync(_testbed.Central, forcedId);
            Assert.That(forced.Status, Is.EqualTo("done"), forced.Message);
            await Eventually.TrueAsync(async () => (await again.Outbox.GetTotalsAsync(CancellationToken.None)).Records == 0, "every result acknowledged and deleted");
            Assert.That(again.Status.CommandsRun, Is.Zero, "the restart command was not run a second time");
        }

        AssertSignedMessagesMatchTheirSchemas(observer, "restart");
    }

    [Test]
    public async Task A_key_rotation_through_the_broker_keeps_acks_flowing_under_the_new_key()
    {
        using var observer = await BrokerObserver.StartAsync(_testbed.Port, "kiosk/v1/#");
        await using var agent = _testbed.Agent();
        await agent.StartAsync();
        using var nextKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var next = new PlatformSigner(nextKey);
        var commandId = await _testbed.Central.SendCommandAsync(Site, KioskId, "signing-key", new JsonObject { ["publicKey"] = next.PublicKeyPem, ["overlapSeconds"] = 0 }, CancellationToken.None);
        var result = await ResultAsync(_testbed.Central, commandId);
        Assert.That(result.Status, Is.EqualTo("done"), result.Message);
        Assert.That(result.Detail!["keyId"]!.GetValue<string>(), Is.EqualTo(next.KeyId));

        // With no overlap the old key is retired at once: the platform's acks (still signed with it) are refused now,
        // and an ack signed with the new key deletes.
        var receipt = await agent.CommitAsync(new Kiosk.Agent.Outbox.NewRecord(Kiosk.Agent.Outbox.RecordKind.CheckIn, new JsonObject { ["n"] = 1 }));
        try
        {
            await Eventually.TrueAsync(() => agent.Status.Refused(Kiosk.Agent.Control.Refusal.WrongKey) >= 1, "the old key's ack is refused");
        }
        catch (AssertionException)
        {
            // What happened instead: which refusals, which acks, what the platform sent.
            var counts = _testbed.Central.Counts;
            Assert.Fail($"no ack refused for the old key; refusals {string.Join(", ", agent.Status.RefusedByReason.Select(r => $"{r.Key}={r.Value}"))}; "
                + $"acknowledged {agent.Status.RecordsAcknowledged}; platform stored {counts.RecordsStored}, acks sent {counts.AcksSent}; clock offset {agent.Status.ClockOffset}; "
                + $"broker saw {observer.Messages.Count(m => m.Topic.EndsWith("/ack", StringComparison.Ordinal))} acks; "
                + $"keys accepted now {string.Join(", ", agent.Services.GetRequiredService<Kiosk.Agent.Control.PlatformKeyRing>().AcceptedKeyIds(agent.Services.GetRequiredService<Kiosk.Agent.Control.PlatformMessageVerifier>().PlatformNow))} (next {next.KeyId})");
        }

        Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(1));

        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer(MosquittoBroker.Host, _testbed.Port).Build());
        var ack = Encoding.UTF8.GetBytes(new JsonObject { ["recordIds"] = new JsonArray(receipt.RecordId), ["platformTime"] = DateTimeOffset.UtcNow.ToString("O") }.ToJsonString());
        await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(agent.Topics.Ack).WithPayload(next.Sign(agent.Topics.Ack, Site, KioskId, ack, TimeSpan.FromMinutes(5))).WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);
        AssertSignedMessagesMatchTheirSchemas(observer, "signing-key");
    }
}
