using System.Text.Json.Nodes;
using Kiosk.Central.Tests.Schemas;
using Kiosk.Central.Tests.Support;
using Kiosk.TestSupport;
using Microsoft.Data.Sqlite;

namespace Kiosk.Central.Tests;

/// <summary>Chunk progress, resuming after a platform restart, missing chunks, and telemetry records (docs/mqtt-contract.md).</summary>
[TestFixture]
[NonParallelizable]
public sealed class ChunkProgressTests
{
    private const int ChunkSize = 128 * 1024;
    private const int Count = 16;
    private MosquittoBroker _broker = null!;
    private TempFolder _folder = null!;

    [OneTimeSetUp]
    public async Task StartBrokerAsync() => _broker = await MosquittoBroker.StartAsync();

    [OneTimeTearDown]
    public async Task StopBrokerAsync() => await _broker.DisposeAsync();

    [SetUp]
    public void CreateFolder() => _folder = new TempFolder("central-progress");

    [TearDown]
    public void DeleteFolder() => _folder.Dispose();

    [Test]
    public async Task ProgressIsReportedAndAnUploadResumesAfterAPlatformRestart()
    {
        var database = _folder.File("central.db");
        var clientId = "central-" + Guid.NewGuid().ToString("N");
        await using var kiosk = await TestKiosk.ConnectAsync(_broker.Port, Site());
        var content = Records.RandomBytes(2 * 1024 * 1024, seed: 11);
        var record = Records.New(1, "checkin", Records.Attachment("face", content, ChunkSize));
        var id = Records.Id(record);

        await using (var first = await CentralUnderTest.StartAsync(_broker, database, clientId))
        {
            await kiosk.PublishChunksAsync(id, "face", content, ChunkSize, which: i => i < 10);
            await kiosk.WaitForAckAsync(a => Received(a, id) == 10);
            Assert.That(PendingChunks(database, id), Is.EqualTo(10), "every verified chunk is in the database before it is reported");
        }

        var reported = Progress(kiosk, id);
        Assert.That(reported, Is.Ordered.And.All.InRange(1, 10), "counts only grow and never pass what was sent");
        Assert.That(reported[^1], Is.EqualTo(10));

        await using var second = await CentralUnderTest.StartAsync(_broker, database, clientId);
        await kiosk.PublishChunksAsync(id, "face", content, ChunkSize, which: i => i >= 10);
        await kiosk.PublishRecordsAsync("checkin", record);
        await second.StoredAsync(id);
        await kiosk.WaitForAckOfAsync(id);

        Assert.That(await second.Platform.GetAttachmentAsync(id, "face", CancellationToken.None), Is.EqualTo(content));
        Assert.That(second.Platform.Counts.ChunksReceived, Is.EqualTo(6), "chunks 0..9 were not sent again");
        Assert.That(PendingChunks(database, id), Is.Zero, "pending chunks go in the transaction that stores the record");
        AssertAcksValid(kiosk);
    }

    [Test]
    public async Task LastChunkWithTheRecordHeldAndAGapAsksForTheAttachmentFromTheFirstMissingChunk()
    {
        var (central, kiosk) = await StartAsync();
        await using var _ = central;
        await using var __ = kiosk;
        var content = Records.RandomBytes(Count * ChunkSize, seed: 12);
        var record = Records.New(1, "checkin", Records.Attachment("face", content, ChunkSize));
        var id = Records.Id(record);

        await kiosk.PublishRecordsAsync("checkin", record);
        await kiosk.PublishChunksAsync(id, "face", content, ChunkSize, which: i => i is < 4 or >= 6);
        var retry = await kiosk.WaitForAckAsync(a => a["retry"] is JsonArray);

        Assert.That(retry["retry"]!.AsArray().Select(r => ((string?)r!["recordId"], (string?)r["attachmentId"], (string?)r["reason"], (int?)r["fromChunk"])), Is.EqualTo(new[] { (id, "face", "missing chunks", (int?)4) }));
        Assert.That(kiosk.EverAcknowledged(id), Is.False);
        Assert.That(PendingChunks(_folder.File("central.db"), id), Is.EqualTo(Count - 2), "what it held for the attachment is kept");
        Assert.That(central.Platform.Counts.HashFailures, Is.Zero);

        await kiosk.PublishChunksAsync(id, "face", content, ChunkSize, which: i => i >= 4);
        await central.StoredAsync(id);
        await kiosk.WaitForAckOfAsync(id);
        Assert.That(await central.Platform.GetAttachmentAsync(id, "face", CancellationToken.None), Is.EqualTo(content));
        AssertAcksValid(kiosk);
    }

    [Test]
    public async Task LastChunkBeforeItsRecordWaitsAndTheGapCanStillBeFilled()
    {
        var (central, kiosk) = await StartAsync();
        await using var _ = central;
        await using var __ = kiosk;
        var content = Records.RandomBytes(Count * ChunkSize, seed: 13);
        var record = Records.New(1, "checkin", Records.Attachment("face", content, ChunkSize));
        var id = Records.Id(record);

        await kiosk.PublishChunksAsync(id, "face", content, ChunkSize, which: i => i is < 4 or >= 6);
        await kiosk.WaitForAckAsync(a => Received(a, id) == 4);
        await kiosk.PublishRecordsAsync("checkin", record);
        await kiosk.PublishChunksAsync(id, "face", content, ChunkSize, which: i => i is 4 or 5);
        await central.StoredAsync(id);
        await kiosk.WaitForAckOfAsync(id);

        Assert.That(await central.Platform.GetAttachmentAsync(id, "face", CancellationToken.None), Is.EqualTo(content));
        lock (kiosk.AckPayloads)
        {
            Assert.That(kiosk.AckPayloads, Has.None.Contains("\"retry\""));
        }
    }

    [Test]
    public async Task TelemetryRecordWithAClockOffsetIsStoredAsSentAndAcknowledged()
    {
        var (central, kiosk) = await StartAsync();
        await using var _ = central;
        await using var __ = kiosk;
        var record = Records.New(3, "telemetry");
        record["priority"] = 3;
        record["clockOffsetMs"] = -93_000;
        record["body"] = new JsonObject { ["type"] = "heartbeat", ["at"] = (string?)record["createdAt"], ["uptimeS"] = 42.5 };

        await kiosk.PublishRecordsAsync("telemetry", record);
        var stored = await central.StoredAsync(Records.Id(record));
        await kiosk.WaitForAckOfAsync(Records.Id(record));

        Assert.That(stored.Kind, Is.EqualTo("telemetry"));
        var json = (await central.Platform.GetStoredRecordsAsync(CancellationToken.None)).Single().Json;
        Assert.That(JsonNode.DeepEquals(JsonNode.Parse(json), record), Is.True, "stored as sent, clockOffsetMs included");
        var batch = new JsonObject { ["records"] = new JsonArray(record.DeepClone()) };
        Assert.That(ContractSchemas.Load("records.schema.json").Evaluate(batch, ContractSchemas.Options).IsValid, Is.True);
        Assert.That(central.Platform.Counts.MalformedMessages, Is.Zero);
    }

    private static int? Received(JsonObject ack, string recordId) =>
        ack["progress"] is JsonArray progress
            ? progress.Where(p => (string?)p!["recordId"] == recordId && (string?)p["attachmentId"] == "face").Select(p => (int?)p!["receivedChunks"]).SingleOrDefault()
            : null;

    private static List<int> Progress(TestKiosk kiosk, string recordId)
    {
        lock (kiosk.AckPayloads)
        {
            return kiosk.AckPayloads.Select(p => Received(JsonNode.Parse(p)!.AsObject(), recordId)).OfType<int>().ToList();
        }
    }

    private static void AssertAcksValid(TestKiosk kiosk)
    {
        var schema = ContractSchemas.Load("ack.schema.json");
        lock (kiosk.AckPayloads)
        {
            foreach (var payload in kiosk.AckPayloads)
            {
                Assert.That(schema.Evaluate(JsonNode.Parse(payload), ContractSchemas.Options).IsValid, Is.True, payload);
            }
        }
    }

    private static long PendingChunks(string database, string recordId)
    {
        using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pending_chunks WHERE record_id = $id";
        command.Parameters.AddWithValue("$id", recordId);
        return (long)command.ExecuteScalar()!;
    }

    private static string Site() => "site-" + Guid.NewGuid().ToString("N")[..12];

    private async Task<(CentralUnderTest Central, TestKiosk Kiosk)> StartAsync()
    {
        var central = await CentralUnderTest.StartAsync(_broker, _folder.File("central.db"), "central-" + Guid.NewGuid().ToString("N"));
        var kiosk = await TestKiosk.ConnectAsync(_broker.Port, Site());
        return (central, kiosk);
    }
}
