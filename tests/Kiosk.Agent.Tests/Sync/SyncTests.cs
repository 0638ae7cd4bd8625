using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Central;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>The agent's sync against a real Mosquitto and the central simulator.</summary>
public sealed class SyncTests
{
    private Testbed _testbed = null!;
    private MosquittoBroker _broker = null!;
    private TempFolder _folder = null!;
    private CentralPlatform _central = null!;

    [SetUp]
    public async Task SetUp()
    {
        _testbed = await Testbed.StartAsync("sync");
        (_broker, _folder, _central) = (_testbed.Broker, _testbed.Folder, _testbed.Central);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _testbed.DisposeAsync();
    }

    private TestAgent Agent(IDictionary<string, string?>? overrides = null, TimeProvider? timeProvider = null) => new(_broker.Port, _folder.File("agent"), overrides, timeProvider);

    private static NewRecord CheckIn(int n, params NewAttachment[] attachments) =>
        new(RecordKind.CheckIn, new JsonObject { ["n"] = n }) { Attachments = attachments };

    [Test]
    public async Task Records_and_a_large_attachment_reach_the_platform_verified_and_leave_the_outbox()
    {
        var scan = new byte[1_600_000];
        new Random(3).NextBytes(scan);
        await using var agent = Agent();
        await agent.StartAsync();

        var receipts = new List<CommitReceipt>();
        for (var i = 0; i < 5; i++)
        {
            receipts.Add(await agent.CommitAsync(CheckIn(i)));
        }

        receipts.Add(await agent.CommitAsync(CheckIn(99, NewAttachment.FromBytes("scan", "image/png", scan, biometric: false))));
        await agent.WaitAcknowledgedAsync(receipts.Select(r => r.RecordId));

        var stored = await _central.GetStoredRecordsAsync(CancellationToken.None);
        var platformCopy = await _central.GetAttachmentAsync(receipts[^1].RecordId, "scan", CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(stored.Select(r => r.RecordId), Is.EquivalentTo(receipts.Select(r => r.RecordId)));
            Assert.That(platformCopy, Is.EqualTo(scan), "the attachment arrived byte for byte");
            Assert.That(_central.Counts.HashFailures, Is.Zero);
            Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).Records, Is.Zero, "acknowledged records are deleted");
            Assert.That(agent.Status.ChunksPublished, Is.EqualTo((1_600_000 + 131_071) / 131_072));
        });
    }

    [Test]
    public async Task A_record_confirmed_while_the_rest_of_its_batch_is_going_out_leaves_the_outbox_at_once()
    {
        // One batch: a small record, then a record whose 20 chunks go out at 4 messages a second (five seconds).
        var scan = new byte[20 * 131_072];
        new Random(5).NextBytes(scan);
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:MaxMessagesPerSecond"] = "4" });
        var small = await agent.CommitAsync(CheckIn(1));
        var large = await agent.CommitAsync(CheckIn(2, NewAttachment.FromBytes("scan", "image/png", scan, biometric: false)));
        var smallConfirmed = agent.WaitAcknowledgedAsync([small.RecordId]);
        var largeConfirmed = agent.WaitAcknowledgedAsync([large.RecordId]);
        await agent.StartAsync();

        // The platform confirms the small record long before the batch ends; the agent must honour that ack then, not
        // drop it and wait out the 60 s ack timeout to send the record again.
        await smallConfirmed;
        Assert.Multiple(async () =>
        {
            Assert.That(agent.Status.ChunksPublished, Is.LessThan(20), "the ack was applied while the batch was still going out");
            Assert.That(agent.Status.RecordsResent, Is.Zero, "nothing was sent twice");
            Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).Records, Is.EqualTo(1), "only the large record is left");
        });

        await largeConfirmed;
        Assert.That(await _central.GetAttachmentAsync(large.RecordId, "scan", CancellationToken.None), Is.EqualTo(scan));
    }

    [Test]
    public async Task Nothing_is_deleted_while_the_platform_has_not_acknowledged_even_after_resending()
    {
        _central.AcknowledgementsPaused = true;
        var storedAtPlatform = new ConcurrentDictionary<string, int>();
        _central.RecordStored += (_, e) => storedAtPlatform.AddOrUpdate(e.RecordId, 1, (_, n) => n + 1);
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:AckTimeout"] = "00:00:01" });
        await agent.StartAsync();
        var receipts = new List<CommitReceipt>();
        for (var i = 0; i < 3; i++)
        {
            receipts.Add(await agent.CommitAsync(CheckIn(i, NewAttachment.FromBytes("face", "image/png", RandomNumberGenerator.GetBytes(200_000), biometric: true))));
        }

        // Wait until the platform has each record at least twice: stored once, then sent again after the ack timeout.
        await Eventually.TrueAsync(() => receipts.All(r => storedAtPlatform.GetValueOrDefault(r.RecordId) >= 2));

        Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(3), "PUBACK alone never deletes");
        await Eventually.TrueAsync(() => agent.Status.RecordsResent >= 3);
        Assert.That(_central.Counts.DuplicatesDropped, Is.GreaterThanOrEqualTo(3));

        _central.AcknowledgementsPaused = false;
        await agent.WaitAcknowledgedAsync(receipts.Select(r => r.RecordId));
        Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.Zero);
        Assert.That((await _central.GetStoredRecordsAsync(CancellationToken.None)).Where(r => r.Kind == "checkin").ToList(), Has.Count.EqualTo(3), "the platform stored each once");
    }

    [Test]
    public async Task Records_committed_while_the_broker_is_down_go_out_after_it_returns()
    {
        // The test broker keeps no sessions across a restart, so what was sent before the platform
        // resubscribed is gone: the ack timeout is what brings those records back.
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Sync:AckTimeout"] = "00:00:02" });
        await agent.StartAsync();
        await agent.WaitAcknowledgedAsync([(await agent.CommitAsync(CheckIn(0))).RecordId]);

        await _broker.StopAsync();
        var during = new List<CommitReceipt>();
        for (var i = 1; i <= 4; i++)
        {
            during.Add(await agent.CommitAsync(CheckIn(i)));
        }

        await _broker.StartAgainAsync();
        await agent.WaitAcknowledgedAsync(during.Select(r => r.RecordId));
        Assert.That((await _central.GetStoredRecordsAsync(CancellationToken.None)).Where(r => r.Kind == "checkin").ToList(), Has.Count.EqualTo(5));
    }

    [Test]
    public async Task A_malformed_ack_is_counted_and_ignored()
    {
        await using var agent = Agent();
        await agent.StartAsync();
        // Acks are not retained: publish only once the agent has subscribed (it signals connected after subscribing).
        await agent.Services.GetRequiredService<Kiosk.Agent.Sync.MqttConnection>().WaitConnectedAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        using var platform = new MqttClientFactory().CreateMqttClient();
        await platform.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).Build());
        // Signed by the platform's key: what is checked here is the ack inside a good signature.
        using var signer = TestPlatformKey.Signer();
        await platform.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(agent.Topics.Ack).WithPayload(signer.Sign(agent.Topics.Ack, "site-t", "kiosk-t", "{not json"u8, TimeSpan.FromMinutes(5))).Build());
        await platform.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(agent.Topics.Ack).WithPayload(signer.Sign(agent.Topics.Ack, "site-t", "kiosk-t", """{"recordIds": [42]}"""u8, TimeSpan.FromMinutes(5))).Build());

        await Eventually.TrueAsync(() => agent.Status.MalformedAcks == 2);
        var receipt = await agent.CommitAsync(CheckIn(1));
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);
    }

    [Test]
    public async Task Every_message_the_agent_sends_matches_the_contract_schemas()
    {
        using var observer = await BrokerObserver.StartAsync(_broker.Port, "kiosk/v1/#");
        // Chunks are raw bytes, not JSON.
        IEnumerable<(string Topic, string Json)> Seen() => observer.Messages.Where(m => !m.Topic.Contains("/blobs/", StringComparison.Ordinal));

        await using (var agent = Agent(new Dictionary<string, string?> { ["Kiosk:HeartbeatInterval"] = "00:00:01" }))
        {
            await agent.StartAsync();
            var receipts = new[]
            {
                await agent.CommitAsync(CheckIn(1, NewAttachment.FromBytes("face", "image/png", new byte[300_000], true), NewAttachment.FromBytes("empty", "text/plain", Array.Empty<byte>(), false))),
                await agent.CommitAsync(new NewRecord(RecordKind.Alert, new JsonObject { ["alertType"] = "callStaff" })),
            };
            await agent.WaitAcknowledgedAsync(receipts.Select(r => r.RecordId));
            await Eventually.TrueAsync(() => Seen().Any(m => m.Topic.EndsWith("/telemetry", StringComparison.Ordinal)));
        }

        await Eventually.TrueAsync(() => Seen().Any(m => m.Topic.EndsWith("/state", StringComparison.Ordinal) && m.Json.Contains("shutdown", StringComparison.Ordinal)));
        var byKind = Seen().GroupBy(m => m.Topic.Split('/')[4]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.That(byKind.Keys, Is.SupersetOf(new[] { "state", "telemetry", "records", "ack" }));
        foreach (var (topic, json) in Seen())
        {
            var channel = topic.Split('/')[4];
            if (channel is "ack" or "cmd")
            {
                // Platform to kiosk: the signed envelope, its protected header, and the message inside.
                var envelope = System.Text.Encoding.UTF8.GetBytes(json);
                Assert.That(ContractSchema.Errors("signed-message.schema.json", json), Is.Empty, $"{topic}: {json}");
                Assert.That(ContractSchema.Errors("signed-header.schema.json", System.Text.Encoding.UTF8.GetString(Kiosk.Central.Signing.PlatformSigner.HeaderOf(envelope))), Is.Empty, topic);
                var inner = System.Text.Encoding.UTF8.GetString(Kiosk.Central.Signing.PlatformSigner.PayloadOf(envelope));
                Assert.That(ContractSchema.Errors(channel == "ack" ? "ack.schema.json" : $"cmd-{topic.Split('/')[5]}.schema.json", inner), Is.Empty, $"{topic}: {inner}");
                continue;
            }

            Assert.That(ContractSchema.Errors(channel + ".schema.json", json), Is.Empty, $"{topic}: {json}");
        }
    }

    [Test]
    public async Task The_client_raises_the_socket_buffer_and_registers_a_retained_last_will()
    {
        await using var agent = Agent();
        var options = agent.Services.GetRequiredService<Kiosk.Agent.Sync.MqttConnection>().BuildClientOptions();
        Assert.Multiple(() =>
        {
            Assert.That(((MqttClientTcpOptions)options.ChannelOptions).BufferSize, Is.EqualTo(1024 * 1024), "MQTTnet's 8 KiB default throttles attachments");
            Assert.That(options.WillRetain, Is.True);
            Assert.That(options.WillTopic, Is.EqualTo("kiosk/v1/site-t/kiosk-t/state"));
            Assert.That(ContractSchema.Errors("state.schema.json", System.Text.Encoding.UTF8.GetString(options.WillPayload)), Is.Empty);
        });
    }

    [Test]
    public async Task A_kiosk_clock_an_hour_off_is_learned_from_acks_and_stamped_on_records()
    {
        var skewed = new SkewedTimeProvider(TimeSpan.FromHours(1));
        await using var agent = Agent(timeProvider: skewed);
        await agent.StartAsync();
        var first = await agent.CommitAsync(CheckIn(1));
        await agent.WaitAcknowledgedAsync([first.RecordId]);
        Assert.That(agent.Status.ClockOffset!.Value.TotalMinutes, Is.EqualTo(-60).Within(1), "platform minus kiosk");

        var second = await agent.CommitAsync(CheckIn(2));
        await agent.WaitAcknowledgedAsync([second.RecordId]);

        var stored = (await _central.GetStoredRecordsAsync(CancellationToken.None)).ToDictionary(r => r.RecordId);
        Assert.That(JsonNode.Parse(stored[first.RecordId].Json)!["clockOffsetMs"], Is.Null, "nothing was known before the first ack");
        Assert.That(JsonNode.Parse(stored[second.RecordId].Json)!["clockOffsetMs"]!.GetValue<long>(), Is.EqualTo(-3_600_000).Within(60_000));
        Assert.That(ContractSchema.Errors("records.schema.json", $$"""{"records":[{{stored[second.RecordId].Json}}]}"""), Is.Empty);
    }

    [Test]
    public async Task An_interrupted_5_MB_attachment_resumes_from_the_platforms_last_reported_chunk()
    {
        var scan = new byte[5 * 1024 * 1024];
        new Random(5).NextBytes(scan);
        const int chunks = 5 * 1024 * 1024 / (128 * 1024);
        // The kiosk's link is cut, not the broker: the platform stays subscribed throughout, so every chunk sent after
        // the cut reaches it and the upload needs exactly one more pass. (A broker restart also drops the platform; if the
        // kiosk is back first, the platform misses chunks, asks for them from its first gap, and the passes that follow
        // depend on which side reconnects first.) 20 messages a second makes the upload take about two seconds, long
        // enough to cut it midway; the ack timeout is the default minute, so no timeout sends the record yet again.
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port);
        await proxy.StartAsync();
        await using var agent = new TestAgent(proxy.Port, _folder.File("agent"), new Dictionary<string, string?> { ["Kiosk:Sync:MaxMessagesPerSecond"] = "20" });
        await agent.StartAsync();
        var receipt = await agent.CommitAsync(CheckIn(1, NewAttachment.FromBytes("scan", "image/png", scan, biometric: false)));

        await Eventually.TrueAsync(async () => (await AckedChunksAsync(agent)) >= 12);
        proxy.Accepting = false;
        proxy.CutAll();
        // Turned away at least once: the old connection is gone, and no PUBACK of it can still be counted.
        var resetsAtCut = proxy.ConnectionsReset;
        await proxy.WaitUntilAsync(p => p.ConnectionsReset > resetsAtCut, TimeSpan.FromSeconds(60));
        var heldAtCut = await AckedChunksAsync(agent);
        var publishedAtCut = agent.Status.ChunksPublished;
        var skippedAtCut = agent.Status.ChunksSkipped;
        proxy.Accepting = true;
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);

        var publishedAfter = agent.Status.ChunksPublished - publishedAtCut;
        var skippedAfter = agent.Status.ChunksSkipped - skippedAtCut;
        TestContext.Progress.WriteLine($"resume: platform had reported {heldAtCut} of {chunks} chunks at the cut; after it {publishedAfter} chunks published, {skippedAfter} skipped");
        Assert.Multiple(async () =>
        {
            Assert.That(await _central.GetAttachmentAsync(receipt.RecordId, "scan", CancellationToken.None), Is.EqualTo(scan));
            // The pass after the cut starts at the platform's reported count (or later, if a report was still on its way):
            // the chunks it held are skipped, not sent again. Starting from chunk 0 would send all of them.
            Assert.That(skippedAfter, Is.GreaterThanOrEqualTo(heldAtCut), "the pass after the cut started at the reported chunk");
            Assert.That(publishedAfter, Is.LessThanOrEqualTo(chunks - heldAtCut), "only the chunks the platform had not reported were sent again");
        });
    }

    [Test]
    public async Task A_connect_the_broker_does_not_answer_in_time_is_retried_until_it_does()
    {
        // A broker too busy to answer CONNECT: the proxy holds every byte for ten minutes, so each attempt runs into the
        // connect timeout. Each must be followed by another attempt, never the end of the connection loop.
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port) { Latency = TimeSpan.FromMinutes(10) };
        await proxy.StartAsync();
        await using var agent = new TestAgent(proxy.Port, _folder.File("agent"), new Dictionary<string, string?>
        {
            ["Kiosk:Sync:ConnectTimeout"] = "00:00:01",
            ["Kiosk:Sync:ReconnectBaseDelay"] = "00:00:00.100",
            ["Kiosk:Sync:ReconnectMaxDelay"] = "00:00:00.500",
        });
        await agent.StartAsync();
        var receipt = await agent.CommitAsync(CheckIn(1));

        await proxy.WaitUntilAsync(p => p.ConnectionsAccepted >= 3, TimeSpan.FromSeconds(60));
        Assert.That(agent.Status.LastConnectedAt, Is.Null, "no attempt got through the held link");

        proxy.Latency = TimeSpan.Zero;
        await agent.WaitAcknowledgedAsync([receipt.RecordId]);
        Assert.That(await _central.GetStoredRecordsAsync(CancellationToken.None), Has.Some.Matches<StoredRecord>(r => r.RecordId == receipt.RecordId));
    }

    [Test]
    public async Task A_disconnect_event_of_an_earlier_connection_arriving_late_leaves_the_current_one_working()
    {
        // MQTTnet raises its disconnected event on a task of its own, so under load the event of a connection dropped during
        // its subscribe can arrive after the retry has connected again. Played here by raising that event on the live
        // connection. Acted on, it hid the connection from the publisher and set the supervisor reconnecting a connected
        // client for ever: nothing sent again until a restart.
        await using var agent = Agent();
        await agent.StartAsync();
        var first = await agent.CommitAsync(CheckIn(1));
        await agent.WaitAcknowledgedAsync([first.RecordId]);
        var connection = agent.Services.GetRequiredService<Kiosk.Agent.Sync.MqttConnection>();
        var epoch = connection.Epoch;

        await connection.OnDisconnectedAsync(new MqttClientDisconnectedEventArgs(true, null, MqttClientDisconnectReason.NormalDisconnection, null, [], null));

        var second = await agent.CommitAsync(CheckIn(2));
        await agent.WaitAcknowledgedAsync([second.RecordId]);
        Assert.Multiple(() =>
        {
            Assert.That(connection.Epoch, Is.EqualTo(epoch), "no reconnect for a connection that never dropped");
            Assert.That(connection.LastConnectError, Is.Null, "no connect attempt against the connected client");
        });
    }

    [Test]
    public async Task A_batch_cut_off_by_a_reconnect_stops_there_and_the_next_pass_sends_each_chunk_once()
    {
        // Two messages a second: after each chunk the batch waits half a second for the next, time enough for the agent
        // to be back on a new connection first. The batch must stop there rather than go on over that connection: the
        // reconnect released its record, and the next pass sends the record again from the platform's reported chunk.
        const int chunks = 6;
        var scan = new byte[chunks * 128 * 1024];
        new Random(6).NextBytes(scan);
        await using var proxy = new FaultProxy(MosquittoBroker.Host, _broker.Port);
        await proxy.StartAsync();
        await using var agent = new TestAgent(proxy.Port, _folder.File("agent"), new Dictionary<string, string?> { ["Kiosk:Sync:MaxMessagesPerSecond"] = "2" });
        var publisher = agent.Services.GetRequiredService<Kiosk.Agent.Sync.OutboxPublisher>();
        await agent.StartAsync();
        var receipt = await agent.CommitAsync(CheckIn(1, NewAttachment.FromBytes("scan", "image/png", scan, biometric: false)));

        await Eventually.TrueAsync(() => agent.Status.ChunksPublished >= 2, "two chunks accepted by the broker");
        // No ack from here on: the record's ack would end a second pass early and hide it.
        _central.AcknowledgementsPaused = true;
        var connections = proxy.ConnectionsAccepted;
        proxy.CutAll();
        var publishedAtCut = agent.Status.ChunksPublished;
        var heldAtCut = await AckedChunksAsync(agent);
        await proxy.WaitUntilAsync(p => p.ConnectionsAccepted > connections, TimeSpan.FromSeconds(60));

        // Settled: the platform holds the record, and the agent has sent all of it and waits for the ack.
        await Eventually.TrueAsync(
            async () => publisher.AwaitingAckSeqs.Contains(receipt.Seq) && (await _central.GetStoredRecordsAsync(CancellationToken.None)).Any(r => r.RecordId == receipt.RecordId),
            "the record stored by the platform and waiting for its ack");
        var publishedAfter = agent.Status.ChunksPublished - publishedAtCut;
        TestContext.Progress.WriteLine($"reconnect mid-batch: {publishedAtCut} of {chunks} chunks out and {heldAtCut} reported at the cut; {publishedAfter} published after it");
        Assert.Multiple(async () =>
        {
            Assert.That(await _central.GetAttachmentAsync(receipt.RecordId, "scan", CancellationToken.None), Is.EqualTo(scan));
            Assert.That(publishedAfter, Is.LessThanOrEqualTo(chunks - heldAtCut), "one pass after the cut, from the reported chunk: the cut-off batch did not go on over the new connection");
        });
    }

    private static async Task<int> AckedChunksAsync(TestAgent agent) =>
        (await agent.Outbox.ReadPendingAsync(1, new HashSet<long>(), CancellationToken.None)).Records.Single().Attachments.Single().AckedChunks;

    [Test]
    public async Task A_tampered_sealed_attachment_is_kept_and_reported_and_the_rest_of_the_backlog_goes_out()
    {
        var folder = _folder.File("agent");
        Directory.CreateDirectory(folder);
        var key = Kiosk.Agent.Outbox.Encryption.OutboxKey.LoadOrCreate(Path.Combine(folder, "outbox.key"));
        CommitReceipt tampered, fine;
        using (var outbox = OutboxStore.Open(Path.Combine(folder, "outbox.db"), TimeProvider.System, key: key))
        {
            tampered = await outbox.CommitAsync(CheckIn(1, NewAttachment.FromBytes("face", "image/jpeg", new byte[50_000], biometric: true)), CancellationToken.None);
            fine = await outbox.CommitAsync(CheckIn(2, NewAttachment.FromBytes("face", "image/jpeg", new byte[50_000], biometric: true)), CancellationToken.None);
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(folder, "outbox.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT id FROM attachments WHERE record_seq = {tampered.Seq};";
            using var blob = new Microsoft.Data.Sqlite.SqliteBlob(connection, "attachments", "data", (long)command.ExecuteScalar()!);
            // Flip bits: a fixed value could equal the random ciphertext byte already there.
            blob.Position = 40;
            var original = blob.ReadByte();
            blob.Position = 40;
            blob.WriteByte((byte)(original ^ 0xFF));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await using var agent = Agent();
        await agent.StartAsync();
        await agent.WaitAcknowledgedAsync([fine.RecordId]);
        await Eventually.TrueAsync(async () => (await _central.GetStoredRecordsAsync(CancellationToken.None)).Any(r => r.Kind == "alert" && r.Json.Contains("attachmentTampered", StringComparison.Ordinal)));

        using var view = OutboxQueueReader.OpenReadOnly(agent.Outbox.Path);
        var left = OutboxQueueReader.ReadPending(view, DateTimeOffset.UtcNow, 10, includeBody: false).Records;
        Assert.That(left.Where(r => r.Kind == RecordKind.CheckIn).Select(r => r.RecordId), Is.EqualTo(new[] { tampered.RecordId }), "the altered record stays as evidence, unsent");
        Assert.That(left.Single(r => r.RecordId == tampered.RecordId).Quarantine, Does.Contain("integrity check"), "and is quarantined, so the drain goes around it");
        Assert.That((await agent.Outbox.ReadPendingAsync(10, new HashSet<long>(), CancellationToken.None)).Records.Select(r => r.RecordId), Does.Not.Contain(tampered.RecordId));
        Assert.That((await _central.GetStoredRecordsAsync(CancellationToken.None)).Select(r => r.RecordId), Does.Not.Contain(tampered.RecordId));
    }

    [Test]
    public async Task A_full_outbox_refuses_check_ins_until_the_platform_drains_it_then_takes_them_again()
    {
        // 2 MiB budget: check-ins stop at the 90 % high-water mark while the platform is not acknowledging.
        _central.AcknowledgementsPaused = true;
        // The acks withheld while paused are gone for good: only the agent's resend after AckTimeout brings them.
        // The default 60 s equals the wait below, which made the test a race; 5 s keeps it about draining. The cap at 5 s too:
        // otherwise each timeout while paused doubles the next wait (AckTimeoutEstimator), and on a loaded machine, where
        // filling the outbox takes long, the resend after the pause came later than the wait below.
        await using var agent = Agent(new Dictionary<string, string?> { ["Kiosk:Outbox:BudgetBytes"] = "2097152", ["Kiosk:Sync:AckTimeout"] = "00:00:05", ["Kiosk:Sync:AckTimeoutMax"] = "00:00:05" });
        await agent.StartAsync();
        var committed = new List<CommitReceipt>();
        OutboxFullException? refused = null;
        while (refused is null)
        {
            try
            {
                committed.Add(await agent.CommitAsync(CheckIn(committed.Count, NewAttachment.FromBytes("scan", "image/png", new byte[150_000], biometric: false))));
            }
            catch (OutboxFullException ex)
            {
                refused = ex;
            }
        }

        Assert.That(refused.Message, Does.Contain("outbox is full"));
        Assert.That((await agent.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.EqualTo(committed.Count), "nothing committed was dropped to make room");

        // The platform comes back: it acknowledges the backlog, the outbox empties, and check-ins are taken again.
        _central.AcknowledgementsPaused = false;
        await agent.WaitAcknowledgedAsync(committed.Select(c => c.RecordId));
        var after = await agent.CommitAsync(CheckIn(999, NewAttachment.FromBytes("scan", "image/png", new byte[150_000], biometric: false)));
        await agent.WaitAcknowledgedAsync([after.RecordId]);
        var stored = (await _central.GetStoredRecordsAsync(CancellationToken.None)).Where(r => r.Kind == "checkin").Select(r => r.RecordId).ToList();
        Assert.That(stored, Is.SupersetOf(committed.Select(c => c.RecordId).Append(after.RecordId)));
    }

    private sealed class SkewedTimeProvider(TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + skew;
    }
}
