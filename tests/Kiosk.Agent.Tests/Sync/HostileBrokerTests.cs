using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// An intruder on the broker writing to a kiosk's ack topic: whatever it sends, the agent deletes only what it sent in
/// full and the platform confirmed, never chokes on a message and keeps draining.
/// </summary>
public sealed class HostileBrokerTests
{
    private Testbed _testbed = null!;
    private MosquittoBroker _broker = null!;
    private TempFolder _folder = null!;
    private CentralPlatform _central = null!;
    private IMqttClient _intruder = null!;

    [SetUp]
    public async Task SetUp()
    {
        _testbed = await Testbed.StartAsync("hostile-broker");
        (_broker, _folder, _central) = (_testbed.Broker, _testbed.Folder, _testbed.Central);
        _intruder = new MqttClientFactory().CreateMqttClient();
        await _intruder.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(MosquittoBroker.Host, _broker.Port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V500).Build());
    }

    [TearDown]
    public async Task TearDown()
    {
        _intruder.Dispose();
        await _testbed.DisposeAsync();
    }

    private TestAgent Agent(IDictionary<string, string?>? overrides = null) => new(_broker.Port, _folder.File("agent"), overrides);

    /// <summary>
    /// Publishes <paramref name="payload"/> as an ack signed with the platform's key, as a platform that lies (or whose key
    /// leaked) would: what these tests check is what the agent does with a validly signed ack that makes no sense.
    /// </summary>
    private Task PublishAckAsync(TestAgent agent, byte[] payload)
    {
        using var signer = TestPlatformKey.Signer();
        return PublishRawAsync(agent, signer.Sign(agent.Topics.Ack, "site-t", "kiosk-t", payload, TimeSpan.FromMinutes(5)));
    }

    private Task PublishRawAsync(TestAgent agent, byte[] payload) =>
        _intruder.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(agent.Topics.Ack).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

    private static NewRecord CheckIn(int n) => new(RecordKind.CheckIn, new JsonObject { ["n"] = n });

    [Test]
    public async Task An_ack_for_a_record_the_kiosk_has_not_sent_yet_deletes_nothing()
    {
        // The kiosk is offline: the record is committed but has not gone out.
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:BrokerPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await agent.StartAsync();
        var receipt = await agent.CommitAsync(CheckIn(1));

        // The agent is not connected; ack it through the store as the ack processor would.
        var deleted = await agent.Outbox.AcknowledgeAsync([receipt.RecordId], CancellationToken.None);

        Assert.That(deleted, Is.Empty);
        Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(1), "the evidence is still there");
    }

    [Test]
    public async Task Acks_that_are_not_text_are_malformed_and_the_agent_goes_on_draining()
    {
        await using var agent = Agent();
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "the agent connects");

        await PublishAckAsync(agent, Encoding.UTF8.GetBytes("""{"recordIds": ["\ud800"]}"""));
        await PublishAckAsync(agent, [(byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        await Eventually.TrueAsync(() => agent.Status.MalformedAcks == 2, "both are counted as malformed");

        var receipt = await agent.CommitAsync(CheckIn(1));
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);
        Assert.That(agent.Status.MalformedAcks, Is.EqualTo(2));
    }

    [Test]
    public async Task A_message_larger_than_the_kiosk_accepts_never_reaches_it()
    {
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:MaxIncomingPacketBytes"] = (64 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await agent.StartAsync();
        await Eventually.TrueAsync(() => agent.Status.LastConnectedAt is not null, "the agent connects");

        // Sent in this order: the broker delivers in order, so once the small one is counted the large one was dropped.
        await PublishAckAsync(agent, Encoding.ASCII.GetBytes("{\"recordIds\": [\"" + new string('x', 200_000) + "\"], \"junk\": 1"));
        await PublishAckAsync(agent, Encoding.ASCII.GetBytes("not json"));
        await Eventually.TrueAsync(() => agent.Status.MalformedAcks >= 1, "the small malformed ack is counted");

        Assert.That(agent.Status.MalformedAcks, Is.EqualTo(1), "the 200 KB message was dropped by the broker (Maximum Packet Size), not read by the kiosk");
        var receipt = await agent.CommitAsync(CheckIn(1));
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);
    }

    [Test]
    public async Task Progress_and_retries_beyond_an_attachments_chunks_change_nothing()
    {
        _central.AcknowledgementsPaused = true;
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:AckTimeout"] = "00:10:00" });
        await agent.StartAsync();
        var receipt = await agent.CommitAsync(new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 })
        {
            Attachments = [NewAttachment.FromBytes("scan", "image/png", new byte[300_000], biometric: false)],
        });
        await Eventually.TrueAsync(() => agent.Status.RecordsPublished >= 1, "the record went out once");

        // 300 000 bytes in 128 KiB chunks is 3 chunks: claiming 1000 held, or asking from chunk 500, is not the platform's to say.
        var lie = $$"""
            {"recordIds": [], "progress": [{"recordId": "{{receipt.RecordId}}", "attachmentId": "scan", "receivedChunks": 1000}],
             "retry": [{"recordId": "{{receipt.RecordId}}", "attachmentId": "scan", "fromChunk": 500}]}
            """;
        await PublishAckAsync(agent, Encoding.UTF8.GetBytes(lie));
        await Eventually.TrueAsync(() => agent.Status.RecordsResent >= 1, "the retry released the record, which went out again");

        var attachment = (await agent.Outbox.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records.Single().Attachments.Single();
        Assert.That(attachment.AckedChunks, Is.Zero, "nothing the intruder claimed was recorded: every chunk is still sent");
        _central.AcknowledgementsPaused = false;
        var acknowledged = agent.WaitAcknowledgedAsync([receipt.RecordId]);
        agent.Services.GetRequiredService<Kiosk.Agent.Sync.OutboxPublisher>().RetryUnacknowledged();
        await acknowledged;
        Assert.That(await _central.GetAttachmentAsync(receipt.RecordId, "scan", CancellationToken.None), Has.Length.EqualTo(300_000));
    }
    [Test]
    public async Task An_intruder_that_acks_every_record_it_sees_deletes_nothing()
    {
        // The platform stores but does not acknowledge; an intruder on the broker reads every record and acks it, once
        // unsigned and once signed with a key of its own that claims the platform's key id.
        _central.AcknowledgementsPaused = true;
        using var intruderKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var forger = new Kiosk.Central.Signing.PlatformSigner(intruderKey);
        using var platformKey = TestPlatformKey.Signer();
        var forgedAcks = 0;
        _intruder.ApplicationMessageReceivedAsync += async e =>
        {
            var records = System.Text.Json.Nodes.JsonNode.Parse(e.ApplicationMessage.ConvertPayloadToString())!["records"]!.AsArray();
            var ack = Encoding.UTF8.GetBytes(new JsonObject { ["recordIds"] = new System.Text.Json.Nodes.JsonArray([.. records.Select(r => (System.Text.Json.Nodes.JsonNode)r!["recordId"]!.GetValue<string>())]), ["platformTime"] = DateTimeOffset.UtcNow.ToString("O") }.ToJsonString());
            var ackTopic = "kiosk/v1/site-t/kiosk-t/ack";
            var forged = System.Text.Json.Nodes.JsonNode.Parse(forger.Sign(ackTopic, "site-t", "kiosk-t", ack, TimeSpan.FromMinutes(5)))!;
            var header = System.Text.Json.Nodes.JsonNode.Parse(Kiosk.Central.Signing.PlatformSigner.HeaderOf(Encoding.UTF8.GetBytes(forged.ToJsonString())))!;
            header["kid"] = platformKey.KeyId;
            forged["protected"] = System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString()));
            foreach (var payload in new[] { ack, forger.Sign(ackTopic, "site-t", "kiosk-t", ack, TimeSpan.FromMinutes(5)), Encoding.UTF8.GetBytes(forged.ToJsonString()) })
            {
                await _intruder.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(ackTopic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            }

            Interlocked.Increment(ref forgedAcks);
        };
        await _intruder.SubscribeAsync("kiosk/v1/+/+/records/#", MqttQualityOfServiceLevel.AtLeastOnce);

        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:AckTimeout"] = "00:10:00" });
        await agent.StartAsync();
        var receipts = new List<CommitReceipt>();
        for (var i = 0; i < 5; i++)
        {
            receipts.Add(await agent.CommitAsync(CheckIn(i)));
        }

        await Eventually.TrueAsync(() => agent.Status.RecordsPublished >= 5, "every record went out");
        await Eventually.TrueAsync(async () => (await _central.GetStoredRecordsAsync(CancellationToken.None)).Count(r => r.Kind == "checkin") == 5, "the platform stored them");
        await Eventually.TrueAsync(() => Volatile.Read(ref forgedAcks) >= 1 && agent.Status.RefusedTotal >= 3L * Volatile.Read(ref forgedAcks), "the intruder's acks reached the kiosk and were refused");

        Assert.Multiple(async () =>
        {
            Assert.That(agent.Status.RecordsAcknowledged, Is.Zero, "not one record deleted on the intruder's word");
            Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(5));
            Assert.That(agent.Status.Refused(Kiosk.Agent.Control.Refusal.Unsigned), Is.GreaterThanOrEqualTo(1));
            Assert.That(agent.Status.Refused(Kiosk.Agent.Control.Refusal.WrongKey), Is.GreaterThanOrEqualTo(1));
            Assert.That(agent.Status.Refused(Kiosk.Agent.Control.Refusal.BadSignature), Is.GreaterThanOrEqualTo(1));
        });

        // The platform's own acks then delete them.
        _central.AcknowledgementsPaused = false;
        var acknowledged = agent.WaitAcknowledgedAsync(receipts.Select(r => r.RecordId));
        agent.Services.GetRequiredService<Kiosk.Agent.Sync.OutboxPublisher>().RetryUnacknowledged();
        await acknowledged;
    }
}
