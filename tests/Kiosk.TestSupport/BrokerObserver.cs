using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Kiosk.TestSupport;

/// <summary>
/// A client on a broker's plain listener, reading what is published on a topic filter as the platform would; every
/// message is kept in arrival order with its topic and its payload as text.
/// </summary>
public sealed class BrokerObserver : IDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();

    private BrokerObserver()
    {
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Messages.Enqueue((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload.ToArray())));
            return Task.CompletedTask;
        };
    }

    public ConcurrentQueue<(string Topic, string Text)> Messages { get; } = new();

    /// <summary>The topics seen so far, in arrival order.</summary>
    public IReadOnlyList<string> Topics => [.. Messages.Select(m => m.Topic)];

    /// <summary>Connects (MQTT 5) to <paramref name="port"/> on loopback and subscribes to <paramref name="topicFilter"/> before returning.</summary>
    public static async Task<BrokerObserver> StartAsync(int port, string topicFilter)
    {
        var observer = new BrokerObserver();
        try
        {
            await observer._client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer(MosquittoBroker.Host, port).WithProtocolVersion(MqttProtocolVersion.V500).Build()).ConfigureAwait(false);
            await observer._client.SubscribeAsync(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce).ConfigureAwait(false);
            return observer;
        }
        catch
        {
            observer.Dispose();
            throw;
        }
    }

    public void Dispose() => _client.Dispose();
}
