using System.Text.Json.Nodes;
using Json.Schema;
using Kiosk.Central.Tests.Support;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests.Schemas;

[TestFixture]
public sealed class SchemaTests
{
    private const string Sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    [TestCaseSource(typeof(ContractSchemas), nameof(ContractSchemas.Names))]
    public void SchemaIsValidDraft202012(string name)
    {
        var schema = JsonNode.Parse(File.ReadAllText(ContractSchemas.PathOf(name)))!;
        var result = MetaSchemas.Draft202012.Evaluate(schema, ContractSchemas.Options);

        Assert.That(result.IsValid, Is.True, Describe(result));
        Assert.That((string?)schema["$schema"], Is.EqualTo("https://json-schema.org/draft/2020-12/schema"));
        Assert.DoesNotThrow(() => ContractSchemas.Load(name));
    }

    [Test]
    public void EveryContractExampleIsValid()
    {
        var examples = ContractSchemas.Examples().ToList();

        Assert.That(examples.Select(e => e.Schema).Distinct(), Is.EquivalentTo(ContractSchemas.Names), "each schema has an example");
        foreach (var (schema, json) in examples)
        {
            var result = ContractSchemas.Load(schema).Evaluate(JsonNode.Parse(json), ContractSchemas.Options);
            Assert.That(result.IsValid, Is.True, $"{schema}: {json}\n{Describe(result)}");
        }
    }

    [Test]
    public void RecordsBuiltLikeTheAgentsAreValidAndBrokenOnesAreNot()
    {
        var schema = ContractSchemas.Load("records.schema.json");
        var good = Batch(Records.New(1, "checkin", Records.Attachment("face", [1, 2, 3], 131072)));
        Assert.That(schema.Evaluate(good, ContractSchemas.Options).IsValid, Is.True);

        var broken = new Dictionary<string, Action<JsonObject>>
        {
            ["missing recordId"] = r => r.Remove("recordId"),
            ["recordId not a UUID"] = r => r["recordId"] = "17",
            ["bad sha256"] = r => r["attachments"]![0]!["sha256"] = Sha[..63] + "g",
            ["bad date"] = r => r["createdAt"] = "2026-13-45T25:00:00.000Z",
            ["date without time"] = r => r["createdAt"] = "2026-11-28",
            ["body not an object"] = r => r["body"] = "text",
            ["unknown kind"] = r => r["kind"] = "selfie",
            ["unknown envelope field"] = r => r["extra"] = 1,
            ["negative seq"] = r => r["seq"] = -1,
        };
        foreach (var (what, breakIt) in broken)
        {
            var record = Records.New(1, "checkin", Records.Attachment("face", [1, 2, 3], 131072));
            breakIt(record);
            Assert.That(schema.Evaluate(Batch(record), ContractSchemas.Options).IsValid, Is.False, what);
        }

        Assert.That(schema.Evaluate(JsonNode.Parse("""{"records": []}"""), ContractSchemas.Options).IsValid, Is.False, "empty batch");
    }

    [Test]
    public void BrokenAcksStatesAndChunkHeadersAreRejected()
    {
        var ack = ContractSchemas.Load("ack.schema.json");
        Assert.That(ack.Evaluate(JsonNode.Parse("""{"recordIds": ["x"], "platformTime": "2026-11-28T14:00:00.456Z"}"""), ContractSchemas.Options).IsValid, Is.False);
        Assert.That(ack.Evaluate(JsonNode.Parse("""{"recordIds": [], "platformTime": "yesterday"}"""), ContractSchemas.Options).IsValid, Is.False);

        var state = ContractSchemas.Load("state.schema.json");
        Assert.That(state.Evaluate(JsonNode.Parse("""{"online": true, "bootId": "0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e"}"""), ContractSchemas.Options).IsValid, Is.False, "a birth needs its fields");
        Assert.That(state.Evaluate(JsonNode.Parse("""{"online": false}"""), ContractSchemas.Options).IsValid, Is.False, "a death needs its bootId");

        var chunk = ContractSchemas.Load("blob-chunk.schema.json");
        var header = TestKiosk.ChunkProperties(0, 2, 0, 10, Sha, Sha).ToDictionary(p => p.Key, p => (JsonNode?)p.Value);
        Assert.That(chunk.Evaluate(new JsonObject(header), ContractSchemas.Options).IsValid, Is.True);
        header.Remove("chunkSha256");
        Assert.That(chunk.Evaluate(new JsonObject(header.ToDictionary(p => p.Key, p => p.Value?.DeepClone())), ContractSchemas.Options).IsValid, Is.False);
    }

    [Test]
    public void ProgressOnlyAcksAreValidAndBrokenProgressIsNot()
    {
        var ack = ContractSchemas.Load("ack.schema.json");
        const string Id = "0193a4c2-1f00-7a00-8b00-0c0d0e0f1014";
        static JsonNode Ack(string entry) => JsonNode.Parse("{\"recordIds\": [], \"platformTime\": \"2026-11-28T14:00:02.000Z\", \"progress\": [{" + entry + "}]}")!;

        Assert.That(ack.Evaluate(Ack($"\"recordId\": \"{Id}\", \"attachmentId\": \"face\", \"receivedChunks\": 0"), ContractSchemas.Options).IsValid, Is.True);
        Assert.That(ack.Evaluate(Ack($"\"recordId\": \"{Id}\", \"attachmentId\": \"face\", \"receivedChunks\": -1"), ContractSchemas.Options).IsValid, Is.False, "negative count");
        Assert.That(ack.Evaluate(Ack($"\"recordId\": \"{Id}\", \"attachmentId\": \"face\", \"receivedChunks\": 1.5"), ContractSchemas.Options).IsValid, Is.False, "not an integer");
        Assert.That(ack.Evaluate(Ack($"\"recordId\": \"{Id}\", \"attachmentId\": \"face\""), ContractSchemas.Options).IsValid, Is.False, "no count");
        Assert.That(ack.Evaluate(Ack($"\"recordId\": \"x\", \"attachmentId\": \"face\", \"receivedChunks\": 1"), ContractSchemas.Options).IsValid, Is.False, "recordId not a UUID");
        Assert.That(ack.Evaluate(Ack($"\"recordId\": \"{Id}\", \"attachmentId\": \"face\", \"receivedChunks\": 1, \"extra\": 1"), ContractSchemas.Options).IsValid, Is.False, "extra property");
    }

    [Test]
    public void TelemetryRecordsAndClockOffsetsAreValidAndAFractionalOffsetIsNot()
    {
        var schema = ContractSchemas.Load("records.schema.json");
        var record = Records.New(1, "telemetry");
        record["priority"] = 3;
        record["body"] = new JsonObject { ["type"] = "heartbeat", ["at"] = "2026-11-28T14:00:30.123Z" };
        record["clockOffsetMs"] = 1500;
        Assert.That(schema.Evaluate(Batch(record), ContractSchemas.Options).IsValid, Is.True);

        record["clockOffsetMs"] = 1.5;
        Assert.That(schema.Evaluate(Batch(record), ContractSchemas.Options).IsValid, Is.False, "fractional clockOffsetMs");
        record["clockOffsetMs"] = 0;
        record["body"] = new JsonObject { ["uptimeS"] = 1 };
        Assert.That(schema.Evaluate(Batch(record), ContractSchemas.Options).IsValid, Is.False, "a telemetry body is a heartbeat");

        var heartbeat = ContractSchemas.Load("telemetry.schema.json");
        var queue = """
            {"type": "heartbeat", "at": "2026-11-28T14:00:30.123Z", "bootId": "0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e", "uptimeS": 1,
             "queue": {"records": 0, "bytes": 0, "oldestUnsyncedAgeS": null, "budgetBytes": 100, "usedPercent": PCT, "warning": false}}
            """;
        Assert.That(heartbeat.Evaluate(JsonNode.Parse(queue.Replace("PCT", "99.5", StringComparison.Ordinal)), ContractSchemas.Options).IsValid, Is.True);
        Assert.That(heartbeat.Evaluate(JsonNode.Parse(queue.Replace("PCT", "101", StringComparison.Ordinal)), ContractSchemas.Options).IsValid, Is.False, "usedPercent over 100");
    }

    [Test]
    public void ConsentInCheckInsAndStaffCheckInAlertsIsExactWhenPresent()
    {
        var schema = ContractSchemas.Load("records.schema.json");
        static JsonObject Scope() => new() { ["captures"] = new JsonArray("face", "signature"), ["kioskRetention"] = "untilStoredByPlatform", ["platformRetentionDays"] = null };
        bool Valid(string kind, JsonObject body)
        {
            var record = Records.New(1, kind);
            record["body"] = body;
            return schema.Evaluate(Batch(record), ContractSchemas.Options).IsValid;
        }

        JsonObject CheckIn(Action<JsonObject>? change = null)
        {
            var consent = new JsonObject { ["choice"] = "agree", ["version"] = 1, ["scope"] = Scope(), ["givenAt"] = "2026-11-28T14:00:00.000Z", ["givenInSession"] = true };
            change?.Invoke(consent);
            return new JsonObject { ["supervisionLevel"] = "normal", ["consent"] = consent };
        }

        JsonObject Alert(string decision, Action<JsonObject>? change = null)
        {
            var consent = new JsonObject { ["decision"] = decision, ["version"] = 1, ["scope"] = Scope() };
            if (decision == "withdrawn")
            {
                consent["givenAt"] = "2026-10-31T09:15:02.120Z";
                consent["storedConsentDeleted"] = true;
            }

            change?.Invoke(consent);
            return new JsonObject { ["alertType"] = "staffCheckIn", ["severity"] = "medium", ["consent"] = consent };
        }

        Assert.Multiple(() =>
        {
            Assert.That(Valid("checkin", CheckIn()), Is.True);
            Assert.That(Valid("checkin", new JsonObject { ["supervisionLevel"] = "normal" }), Is.True, "a check-in that captured nothing biometric has no consent");
            Assert.That(Valid("checkin", CheckIn(c => c["choice"] = "staff")), Is.False, "a stored check-in was agreed to");
            Assert.That(Valid("checkin", CheckIn(c => c.Remove("givenInSession"))), Is.False, "givenInSession is required");
            Assert.That(Valid("checkin", CheckIn(c => c["scope"]!["captures"] = new JsonArray("iris"))), Is.False, "an unknown capture");
            Assert.That(Valid("checkin", CheckIn(c => c["scope"]!["captures"] = new JsonArray())), Is.False, "consent to nothing");
            Assert.That(Valid("checkin", CheckIn(c => c["scope"]!["platformRetentionDays"] = 0)), Is.False, "retention out of range");
            Assert.That(Valid("alert", Alert("refused")), Is.True);
            Assert.That(Valid("alert", Alert("withdrawn")), Is.True);
            Assert.That(Valid("alert", Alert("withdrawn", c => c.Remove("storedConsentDeleted"))), Is.False, "a withdrawal says whether the consent was deleted");
            Assert.That(Valid("alert", Alert("maybe")), Is.False, "an unknown decision");
            Assert.That(Valid("alert", new JsonObject { ["alertType"] = "staffCheckIn", ["severity"] = "medium" }), Is.False, "a staffCheckIn alert says why");
            Assert.That(Valid("alert", new JsonObject { ["alertType"] = "callStaff", ["severity"] = "medium" }), Is.True, "other alerts need no consent");
        });
    }

    [Test]
    public async Task AcksTheSimulatorSendsAreValid()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        using var folder = new TempFolder("central-schema");
        await using var central = await CentralUnderTest.StartAsync(broker, folder.File("central.db"), "central-" + Guid.NewGuid().ToString("N"));
        await using var kiosk = await TestKiosk.ConnectAsync(broker.Port, "site-schema");
        var content = Records.RandomBytes(1000, seed: 3);
        var record = Records.New(1, "alert", Records.Attachment("photo", content, 512));
        await kiosk.PublishRecordsAsync("alert", record);
        await kiosk.PublishChunksAsync(Records.Id(record), "photo", content, 512, corruptIndex: 0);
        await kiosk.WaitForAckAsync(a => a["retry"] is not null);
        await kiosk.PublishChunksAsync(Records.Id(record), "photo", content, 512);
        await kiosk.WaitForAckOfAsync(Records.Id(record));

        var schema = ContractSchemas.Load("ack.schema.json");
        Assert.That(kiosk.AckPayloads, Has.Count.GreaterThanOrEqualTo(2));
        foreach (var payload in kiosk.AckPayloads)
        {
            var result = schema.Evaluate(JsonNode.Parse(payload), ContractSchemas.Options);
            Assert.That(result.IsValid, Is.True, payload + "\n" + Describe(result));
        }

        var stored = (await central.Platform.GetStoredRecordsAsync(CancellationToken.None)).Single();
        Assert.That(ContractSchemas.Load("records.schema.json").Evaluate(Batch(JsonNode.Parse(stored.Json)!.AsObject()), ContractSchemas.Options).IsValid, Is.True);
    }

    private static JsonObject Batch(JsonObject record) => new() { ["records"] = new JsonArray(record.DeepClone()) };

    private static string Describe(EvaluationResults result) =>
        string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}"));
}
