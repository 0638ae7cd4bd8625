using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Central.Tests.Provisioning;

/// <summary>An anonymous MQTT 5 client as a kiosk before enrollment: TLS to the provisioning listener, request/response by correlation data.</summary>
internal sealed class ProvisioningClient : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly IMqttClient _client;
    private readonly List<MqttApplicationMessage> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private ProvisioningClient(IMqttClient client)
    {
        _client = client;
        client.ApplicationMessageReceivedAsync += e =>
        {
            lock (_received)
            {
                _received.Add(e.ApplicationMessage);
            }

            _arrived.Release();
            return Task.CompletedTask;
        };
    }

    /// <summary>Over TLS (the broker checked against <paramref name="caFile"/>) when given, else plain TCP.</summary>
    public static async Task<ProvisioningClient> ConnectAsync(int port, string? caFile)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithEndPoint(new DnsEndPoint("127.0.0.1", port))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("test-provisioning-" + Guid.NewGuid().ToString("N"))
            .WithCleanStart(true);
        if (caFile is not null)
        {
            using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
            var trusted = X509CertificateLoader.LoadCertificate(ca.RawData);
            builder.WithTlsOptions(new MqttClientTlsOptionsBuilder()
                .UseTls()
                .WithTargetHost("127.0.0.1")
                .WithCertificateValidationHandler(e =>
                {
                    using var presented = X509CertificateLoader.LoadCertificate(e.Certificate.GetRawCertData());
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(trusted);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(presented);
                })
                .Build());
        }

        await client.ConnectAsync(builder.Build());
        return new ProvisioningClient(client);
    }

    public static string NewReplyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public Task<MqttClientSubscribeResult> SubscribeAsync(string filter) =>
        _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build());

    public Task<MqttClientPublishResult> PublishAsync(string topic, byte[] payload, string? responseTopic = null, byte[]? correlation = null)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (responseTopic is not null)
        {
            builder.WithResponseTopic(responseTopic);
        }

        if (correlation is not null)
        {
            builder.WithCorrelationData(correlation);
        }

        return _client.PublishAsync(builder.Build());
    }

    /// <summary>Subscribes to <paramref name="replyTopic"/>, publishes the request and returns the answer with the same correlation data (raw JSON text).</summary>
    public async Task<string> RequestAsync(string topic, string replyTopic, byte[] payload)
    {
        var subscribed = await SubscribeAsync(replyTopic);
        Assert.That(subscribed.Items.Single().ResultCode, Is.EqualTo(MqttClientSubscribeResultCode.GrantedQoS1), "subscription to " + replyTopic);
        var correlation = RandomNumberGenerator.GetBytes(16);
        var published = await PublishAsync(topic, payload, replyTopic, correlation);
        Assert.That(published.IsSuccess, Is.True, $"publish to {topic}: {published.ReasonCode}");
        var reply = await NextAsync(m => m.Topic == replyTopic && m.CorrelationData is { } c && c.AsSpan().SequenceEqual(correlation));
        return Encoding.UTF8.GetString(reply.Payload.ToArray());
    }

    public async Task<JsonObject> EnrollAsync(string siteId, string kioskId, string token, string csr)
    {
        var payload = Encoding.UTF8.GetBytes(new JsonObject { ["token"] = token, ["csr"] = csr }.ToJsonString());
        var json = await RequestAsync($"kiosk/v1/provisioning/{siteId}/{kioskId}/enroll", $"kiosk/v1/provisioning/{siteId}/{kioskId}/reply/{NewReplyId()}", payload);
        return JsonNode.Parse(json)!.AsObject();
    }

    /// <summary>Messages received so far on <paramref name="topic"/>.</summary>
    public int CountOn(string topic)
    {
        lock (_received)
        {
            return _received.Count(m => m.Topic == topic);
        }
    }

    private async Task<MqttApplicationMessage> NextAsync(Func<MqttApplicationMessage, bool> match)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            lock (_received)
            {
                if (_received.FirstOrDefault(match) is { } found)
                {
                    return found;
                }
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                Assert.Fail($"no answer within {Patience.TotalSeconds} s");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
        _arrived.Dispose();
    }
}
