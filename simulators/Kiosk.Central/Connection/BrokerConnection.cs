using System.Buffers;
using System.Net;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace Kiosk.Central.Connection;

/// <summary>
/// The simulator's one MQTT 5 session: a fixed client id with CleanStart=false and a long session expiry, so the
/// broker queues QoS 1 messages while the simulator is away. A single background task owns connecting and
/// reconnecting; the disconnect handler only signals it. Messages are handed to the callback one at a time.
/// </summary>
internal sealed class BrokerConnection : IAsyncDisposable
{
    /// <summary>One week: longer than any outage the simulator is meant to sit out.</summary>
    private const uint SessionExpirySeconds = 7 * 24 * 3600;

    /// <summary>
    /// A member of a shared subscription group keeps getting its share while its session lives, even when it is gone:
    /// a minute covers a restart, and after it a dead instance's share goes to the others (what it held is sent again
    /// by the kiosks, never acknowledged).
    /// </summary>
    private const uint SharedSessionExpirySeconds = 60;

    /// <summary>Messages one shared-group instance works on at once (the shared store coordinates them, as it does instances).</summary>
    public const int SharedConcurrency = 8;

    /// <summary>MQTTnet's 8 KB default socket buffer throttles 128 KB chunks to tens a second (docs/architecture.md, "Sync").</summary>
    private const int SocketBufferBytes = 1 << 20;

    private static readonly string[] KioskSubscriptions = ["kiosk/v1/+/+/records/#", "kiosk/v1/+/+/blobs/#", "kiosk/v1/+/+/state", "kiosk/v1/+/+/telemetry"];
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly Func<ReceivedMessage, Task> _onMessage;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly SemaphoreSlim _disconnected = new(0, 1);
    private readonly TaskCompletionSource _firstSubscription = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly string[] _subscriptions;
    private readonly SemaphoreSlim? _slots;
    private Task? _loop;

    public BrokerConnection(CentralOptions options, Func<ReceivedMessage, Task> onMessage, TimeProvider time, TextWriter log)
    {
        _onMessage = onMessage;
        _time = time;
        _log = log;
        Endpoint = $"{options.BrokerHost}:{options.BrokerPort}";

        // The platform time is always answered; enrollment only when the simulator has a CA (docs/mqtt-contract.md, "Provisioning").
        _subscriptions = options.Provisioning.Enabled
            ? [.. KioskSubscriptions, Provisioning.ProvisioningTopics.TimeRequest, Provisioning.ProvisioningTopics.EnrollFilter, Provisioning.ProvisioningTopics.RenewFilter]
            : [.. KioskSubscriptions, Provisioning.ProvisioningTopics.TimeRequest];
        if (options.SharedSubscriptionGroup is { } group)
        {
            // MQTT 5 shared subscriptions (section 4.8.2): the broker gives each message to one member of the group.
            // Received messages keep their plain topic name, so nothing downstream changes.
            _subscriptions = [.. _subscriptions.Select(filter => $"$share/{group}/{filter}")];
            _slots = new SemaphoreSlim(SharedConcurrency, SharedConcurrency);
        }
        // Endpoint first: MQTTnet 5 checks it before running the WithTcpServer action, and a later
        // WithEndPoint replaces the TCP options, silently dropping the raised buffer size.
        _options = new MqttClientOptionsBuilder()
            .WithEndPoint(new DnsEndPoint(options.BrokerHost, options.BrokerPort))
            .WithTcpServer(o =>
            {
                o.BufferSize = SocketBufferBytes;
                o.NoDelay = true;
            })
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(options.ClientId)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(options.SharedSubscriptionGroup is null ? SessionExpirySeconds : SharedSessionExpirySeconds)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        _options.WriterBufferSize = SocketBufferBytes;
        _options.WriterBufferSizeMax = SocketBufferBytes * 4;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageReceivedAsync;
        _client.DisconnectedAsync += _ =>
        {
            Signal();
            return Task.CompletedTask;
        };
    }

    public string Endpoint { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Starts the connection task and returns once the first subscription is in place.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _loop ??= Task.Run(() => ConnectionLoopAsync(_stopping.Token), CancellationToken.None);
        await _firstSubscription.Task.WaitAsync(ct);
    }

    public async Task PublishAsync(string topic, byte[] payload, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .Build();
        var result = await _client.PublishAsync(message, ct);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"broker refused the publish to {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    /// <summary>Publishes the answer to a request (QoS 1, JSON) with the request's correlation data.</summary>
    public async Task PublishReplyAsync(string topic, byte[] payload, byte[]? correlationData, CancellationToken ct)
    {
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json");
        if (correlationData is { Length: > 0 })
        {
            builder.WithCorrelationData(correlationData);
        }

        var result = await _client.PublishAsync(builder.Build(), ct);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"broker refused the reply to {topic}: {result.ReasonCode} {result.ReasonString}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        if (_client.IsConnected)
        {
            // A normal disconnect keeps the session (and the backlog) at the broker for the next start.
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build());
        }

        _client.Dispose();
        _slots?.Dispose();
        _disconnected.Dispose();
        _stopping.Dispose();
    }

    private void Signal()
    {
        try
        {
            _disconnected.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; the loop has not woken up yet.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while the client reported its last disconnect.
        }
    }

    private async Task ConnectionLoopAsync(CancellationToken ct)
    {
        var backoff = MinBackoff;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    await _client.ConnectAsync(_options, ct);
                    await SubscribeAsync(ct);
                    _log.WriteLine($"central: connected to {Endpoint} as {_options.ClientId}");
                    _firstSubscription.TrySetResult();
                    backoff = MinBackoff;
                }

                await _disconnected.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _log.WriteLine($"central: broker {Endpoint} not reachable ({ex.GetType().Name}: {ex.Message}); retrying in {backoff.TotalMilliseconds:0} ms");
                try
                {
                    await Task.Delay(backoff, _time, ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
            }
        }
    }

    private async Task SubscribeAsync(CancellationToken ct)
    {
        var builder = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in _subscriptions)
        {
            builder.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var result = await _client.SubscribeAsync(builder.Build(), ct);
        foreach (var item in result.Items.Where(i => i.ResultCode != MqttClientSubscribeResultCode.GrantedQoS1))
        {
            _log.WriteLine($"central: subscription {item.TopicFilter.Topic} answered {item.ResultCode}");
        }
    }

    private async Task OnMessageReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var message = e.ApplicationMessage;
        var properties = message.UserProperties?.Select(p => new KeyValuePair<string, string>(p.Name, p.ReadValueAsString())).ToList() ?? [];
        var received = new ReceivedMessage(message.Topic, message.Payload.ToArray(), properties, message.Retain, message.ResponseTopic, message.CorrelationData?.ToArray());
        if (_slots is null)
        {
            await _onMessage(received);
            return;
        }

        // Shared group: up to SharedConcurrency messages at once. Each is acknowledged to the broker (PUBACK) only when
        // its handling is over, as with one at a time, so what a crash interrupts is delivered again.
        e.AutoAcknowledge = false;
        await _slots.WaitAsync(_stopping.Token);
        _ = Task.Run(async () =>
        {
            try
            {
                await _onMessage(received);
                await e.AcknowledgeAsync(CancellationToken.None);
            }
#pragma warning disable CA1031 // The connection dropped before the PUBACK: the broker delivers the message again.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // Stopping, MQTTnet's client may already be torn down under a message still in hand (it then throws a
                // NullReferenceException from inside); either way the broker delivers the message again.
                _log.WriteLine(_stopping.IsCancellationRequested
                    ? $"central: {received.Topic}: stopping before its PUBACK; the broker delivers it again"
                    : $"central: {received.Topic}: not acknowledged to the broker ({ex.GetType().Name}: {ex.Message})");
            }
            finally
            {
                _slots.Release();
            }
        });
    }
}
