using System.Buffers;
using Kiosk.TestSupport;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Central.Tests.Support;

/// <summary>The kiosk side in tests: a raw MQTTnet client that publishes records and chunks and collects acks.</summary>
internal sealed class TestKiosk : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly IMqttClient _client;
    private readonly Channel<JsonObject> _acks = Channel.CreateUnbounded<JsonObject>();

    private TestKiosk(IMqttClient client, string siteId, string kioskId)
    {
        _client = client;
        SiteId = siteId;
        KioskId = kioskId;
    }

    public string SiteId { get; }

    public string KioskId { get; }

    public string Prefix => $"kiosk/v1/{SiteId}/{KioskId}/";

    /// <summary>Every ack received so far, in order (also the raw JSON for schema checks).</summary>
    public List<string> AckPayloads { get; } = [];

    public static async Task<TestKiosk> ConnectAsync(int port, string siteId, string kioskId = "k1", string? willPayload = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var kiosk = new TestKiosk(client, siteId, kioskId);
        client.ApplicationMessageReceivedAsync += e =>
        {
            // Every ack is signed (docs/mqtt-contract.md, "Signed platform messages"): check it as the contract says,
            // independently of the agent's verifier, and keep what is inside.
            var json = Encoding.UTF8.GetString(OpenSigned(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            lock (kiosk.AckPayloads)
            {
                kiosk.AckPayloads.Add(json);
            }

            kiosk._acks.Writer.TryWrite(JsonNode.Parse(json)!.AsObject());
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(o =>
            {
                o.BufferSize = 1 << 20;
            })
            .WithEndPoint(new DnsEndPoint("127.0.0.1", port))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId($"test-kiosk-{siteId}-{kioskId}")
            .WithCleanStart(true);
        if (willPayload is not null)
        {
            options.WithWillTopic(kiosk.Prefix + "state").WithWillPayload(Encoding.UTF8.GetBytes(willPayload))
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain(true);
        }

        await client.ConnectAsync(options.Build());
        await client.SubscribeAsync(kiosk.Prefix + "ack", MqttQualityOfServiceLevel.AtLeastOnce);
        return kiosk;
    }

    public Task PublishRecordsAsync(string kind, params JsonObject[] records) =>
        PublishAsync($"{Prefix}records/{kind}", Encoding.UTF8.GetBytes(new JsonObject { ["records"] = new JsonArray(records.Select(r => (JsonNode)r.DeepClone()).ToArray()) }.ToJsonString()));

    public Task PublishAsync(string topic, byte[] payload, IEnumerable<KeyValuePair<string, string>>? userProperties = null, bool retain = false)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        foreach (var (name, value) in userProperties ?? [])
        {
            builder.WithUserProperty(name, new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(value)));
        }

        return _client.PublishAsync(builder.Build());
    }

    /// <summary>Publishes the chunks of <paramref name="content"/> whose index passes <paramref name="which"/>; <paramref name="corruptIndex"/> gets one byte flipped after hashing.</summary>
    public async Task PublishChunksAsync(string recordId, string attachmentId, byte[] content, int chunkSize, Func<int, bool>? which = null, int? corruptIndex = null)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(content));
        var count = (content.Length + chunkSize - 1) / chunkSize;
        for (var index = 0; index < count; index++)
        {
            if (which is not null && !which(index))
            {
                continue;
            }

            var chunk = content.AsSpan(index * chunkSize, Math.Min(chunkSize, content.Length - (index * chunkSize))).ToArray();
            var chunkSha = Convert.ToHexStringLower(SHA256.HashData(chunk));
            if (index == corruptIndex)
            {
                chunk[chunk.Length / 2] ^= 0xFF;
            }

            await PublishAsync($"{Prefix}blobs/{recordId}/{attachmentId}", chunk, ChunkProperties(index, count, (long)index * chunkSize, content.Length, sha, chunkSha));
        }
    }

    public static List<KeyValuePair<string, string>> ChunkProperties(int index, int count, long offset, long length, string sha, string chunkSha) =>
    [
        new("index", index.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("count", count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("length", length.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("sha256", sha),
        new("chunkSha256", chunkSha),
    ];

    /// <summary>Reads acks until one matches; the ones skipped stay in <see cref="AckPayloads"/>.</summary>
    public async Task<JsonObject> WaitForAckAsync(Func<JsonObject, bool> match)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var ack = await _acks.Reader.ReadAsync(timeout.Token);
            if (match(ack))
            {
                return ack;
            }
        }
    }

    public Task<JsonObject> WaitForAckOfAsync(string recordId) =>
        WaitForAckAsync(a => a["recordIds"]!.AsArray().Any(id => (string?)id == recordId));

    public bool EverAcknowledged(string recordId)
    {
        lock (AckPayloads)
        {
            return AckPayloads.Any(p => JsonNode.Parse(p)!["recordIds"]!.AsArray().Any(id => (string?)id == recordId));
        }
    }

    /// <summary>Drops the TCP connection without DISCONNECT, so the broker publishes the Last Will.</summary>
    public void Dispose() => _client.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }

    private static readonly Lazy<System.Security.Cryptography.ECDsa> PlatformKey = new(() =>
    {
        var key = System.Security.Cryptography.ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(TestPlatformKey.PublicKeyFile));
        return key;
    });

    /// <summary>The payload of a signed platform message, after checking its ES256 signature and that it names <paramref name="topic"/>.</summary>
    private static byte[] OpenSigned(string topic, byte[] envelope)
    {
        var root = JsonNode.Parse(envelope)!;
        var protectedText = root["protected"]!.GetValue<string>();
        var payloadText = root["payload"]!.GetValue<string>();
        var signature = System.Buffers.Text.Base64Url.DecodeFromChars(root["signature"]!.GetValue<string>());
        if (!PlatformKey.Value.VerifyData(Encoding.ASCII.GetBytes(protectedText + "." + payloadText), signature, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
        {
            throw new InvalidDataException($"the message on {topic} does not carry a valid platform signature");
        }

        var header = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(protectedText))!;
        if (header["topic"]!.GetValue<string>() != topic)
        {
            throw new InvalidDataException($"the message on {topic} was signed for {header["topic"]}");
        }

        return System.Buffers.Text.Base64Url.DecodeFromChars(payloadText);
    }
}
