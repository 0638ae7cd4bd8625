using System.Diagnostics;
using System.Net;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.Bench;

/// <summary>
/// The sync baseline: plain MQTTnet 5, QoS 1, the same payloads, the same window of publishes awaiting PUBACK and
/// the same raised socket buffer as the agent. No outbox read, no platform, no ack: done at the last PUBACK.
/// </summary>
internal sealed class RawMqttPublisher : IAsyncDisposable
{
    private const string Topic = "bench/raw/records";
    private const int SocketBufferBytes = 1 << 20;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    public static async Task<RawMqttPublisher> ConnectAsync(int port)
    {
        var publisher = new RawMqttPublisher();
        await publisher._client.ConnectAsync(Options(port, "bench-raw"));
        return publisher;
    }

    /// <summary>The baselines' client options: MQTT 5, the agent's raised socket and writer buffers, a fresh session.</summary>
    internal static MqttClientOptions Options(int port, string clientIdPrefix)
    {
        var options = new MqttClientOptionsBuilder()
            .WithClientId(clientIdPrefix + "-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500)
            // Endpoint first: MQTTnet 5 drops the buffer size of a WithTcpServer(action) that comes before it.
            .WithEndPoint(new DnsEndPoint("127.0.0.1", port))
            .WithTcpServer(o =>
            {
                o.BufferSize = SocketBufferBytes;
                o.NoDelay = true;
            })
            .WithCleanStart(true)
            .Build();
        options.WriterBufferSize = SocketBufferBytes;
        options.WriterBufferSizeMax = SocketBufferBytes * 2;
        return options;
    }

    /// <summary>Publishes every payload with at most <paramref name="inFlight"/> awaiting PUBACK; returns the time to the last PUBACK.</summary>
    public async Task<TimeSpan> PublishAllAsync(IReadOnlyList<byte[]> payloads, int inFlight)
    {
        using var slots = new SemaphoreSlim(inFlight, inFlight);
        var publishes = new List<Task>(payloads.Count);
        var started = Stopwatch.GetTimestamp();
        foreach (var payload in payloads)
        {
            await slots.WaitAsync();
            publishes.Add(PublishAndReleaseAsync(payload, slots));
        }

        await Task.WhenAll(publishes);
        return Stopwatch.GetElapsedTime(started);
    }

    private async Task PublishAndReleaseAsync(byte[] payload, SemaphoreSlim slots)
    {
        try
        {
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(Topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var result = await _client.PublishAsync(message);
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"broker refused the baseline publish: {result.ReasonCode}");
            }
        }
        finally
        {
            slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
