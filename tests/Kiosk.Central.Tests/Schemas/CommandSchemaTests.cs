using System.Buffers.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Control;
using Kiosk.TestSupport;

namespace Kiosk.Central.Tests.Schemas;

/// <summary>
/// The bodies of cmd/config, cmd/logs and cmd/alert-disposition as the central simulator really sends them (signed, on the
/// broker), against docs/schemas; and the agent's parsers agree with the schemas on them and on broken ones.
/// </summary>
[TestFixture]
public sealed class CommandSchemaTests
{
    private static readonly Dictionary<string, JsonObject> Sent = new()
    {
        ["config"] = new JsonObject { ["set"] = new JsonObject { ["Kiosk:Sync:MaxMessagesPerSecond"] = "50", ["Logging:LogLevel:Default"] = "Information" }, ["remove"] = new JsonArray("Kiosk:Sync:KeepAlive") },
        ["logs"] = new JsonObject { ["hours"] = 24 },
        ["alert-disposition"] = new JsonObject { ["alertRecordId"] = "0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0f", ["disposition"] = "acknowledged", ["by"] = "王警官", ["note"] = "on my way" },
    };

    [Test]
    public async Task TheSimulatorsCommandsMatchTheirSchemasAndTheAgentsParsers()
    {
        await using var testbed = await Testbed.StartAsync("command-schemas");
        using var observer = await BrokerObserver.StartAsync(testbed.Port, "kiosk/v1/site-s/kiosk-s/cmd/#");
        foreach (var (name, arguments) in Sent)
        {
            await testbed.Central.SendCommandAsync("site-s", "kiosk-s", name, arguments, CancellationToken.None);
        }

        await Eventually.TrueAsync(() => observer.Messages.Count >= Sent.Count, "the three commands on the broker");
        foreach (var (topic, text) in observer.Messages)
        {
            var name = topic[(topic.LastIndexOf('/') + 1)..];
            var payload = Base64Url.DecodeFromChars((string)JsonNode.Parse(text)!["payload"]!);
            var body = JsonNode.Parse(payload)!;
            var result = ContractSchemas.Load($"cmd-{name}.schema.json").Evaluate(body, ContractSchemas.Options);
            Assert.That(result.IsValid, Is.True, $"{name}: {body.ToJsonString()}");
            var (parsed, error) = Parse(name, payload);
            Assert.That(parsed, Is.True, $"{name}: {error}");
        }
    }

    [TestCase("config", """{"commandId":"c","set":{}}""")]
    [TestCase("config", """{"commandId":"c","set":{"Kiosk:Sync:BrokerPort":null}}""")]
    [TestCase("config", """{"commandId":"c","set":{"A":"1"},"force":true}""")]
    [TestCase("config", """{"set":{"A":"1"}}""")]
    [TestCase("logs", """{"commandId":"c","hours":0}""")]
    [TestCase("logs", """{"commandId":"c","hours":73}""")]
    [TestCase("logs", """{"commandId":"c","hours":1.5}""")]
    [TestCase("alert-disposition", """{"commandId":"c","alertRecordId":"17","disposition":"resolved"}""")]
    [TestCase("alert-disposition", """{"commandId":"c","alertRecordId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","disposition":"ignored"}""")]
    [TestCase("alert-disposition", """{"commandId":"c","alertRecordId":"0193a4c1-7e2a-7b3c-9d4e-5f6a7b8c9d0e","disposition":"resolved","by":"a\u0007"}""")]
    public void BrokenBodiesFailTheSchemaAndTheParser(string name, string json)
    {
        Assert.That(ContractSchemas.Load($"cmd-{name}.schema.json").Evaluate(JsonNode.Parse(json), ContractSchemas.Options).IsValid, Is.False);
        Assert.That(Parse(name, System.Text.Encoding.UTF8.GetBytes(json)).Parsed, Is.False);
    }

    private static (bool Parsed, string? Error) Parse(string name, byte[] payload) => name switch
    {
        "config" => (ConfigCommandBody.TryParse(payload, out _, out var e1), e1),
        "logs" => (LogsCommandBody.TryParse(payload, out _, out var e2), e2),
        "alert-disposition" => (AlertDispositionBody.TryParse(payload, out _, out var e3), e3),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };
}
