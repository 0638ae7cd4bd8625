using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

using Kiosk.Agent.Configuration;
using Kiosk.Agent.Hosting;

namespace Kiosk.Agent.Sync;

/// <summary>
/// Owns the one MQTT connection of the agent: connects, and after every drop reconnects with
/// exponential backoff and full jitter (Polly). The disconnect handler only signals this loop;
/// it never reconnects itself. Other services wait for <see cref="WaitConnectedAsync"/>.
/// Thread safety: all members may be called from any thread.
/// </summary>
internal sealed partial class MqttConnection : BackgroundService
{
    private readonly IMqttClient _client;
    private readonly SyncOptions _options;
    private readonly Topics _topics;
    private readonly AgentIdentity _identity;
    private readonly BirthMessage _birth;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MqttConnection> _logger;
    private readonly ResiliencePipeline _connectPipeline;
    private TaskCompletionSource _connected = NewSignal();
    private TaskCompletionSource _disconnected = NewSignal();
    private int _epoch;
    private volatile bool _stopping;
    private readonly BrokerSecurity _security;
    private string? _lastConnectError;

    public MqttConnection(IOptions<SyncOptions> options, AgentIdentity identity, BirthMessage birth, BrokerSecurity security, TimeProvider timeProvider, ILogger<MqttConnection> logger)
    {
        _security = security;
        _options = options.Value;
        _identity = identity;
        _birth = birth;
        _topics = identity.Topics;
        _timeProvider = timeProvider;
        _logger = logger;
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
        _client.ApplicationMessageReceivedAsync += e => MessageReceived?.Invoke(e) ?? Task.CompletedTask;
        _connectPipeline = new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                // Every failure is retried until the agent stops, a connect or subscribe that timed out included: that
                // is an OperationCanceledException too, and leaving it unhandled ended the connection loop for good (a
                // broker too busy to answer within the timeout, found by the fleet simulator).
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                MaxRetryAttempts = int.MaxValue,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(FullJitter(args.AttemptNumber)),
                OnRetry = args =>
                {
                    Volatile.Write(ref _lastConnectError, Describe(args.Outcome.Exception));
                    LogConnectFailed(_logger, _options.BrokerHost, _options.BrokerPort, args.RetryDelay.TotalSeconds, _lastConnectError!);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Raised for every message on a subscribed topic (the ack topic and cmd/#).</summary>
    public event Func<MqttApplicationMessageReceivedEventArgs, Task>? MessageReceived;

    /// <summary>Raised after each successful connect and birth, before publishers resume.</summary>
    public event Func<int, Task>? Connected;

    public bool IsConnected => _client.IsConnected;

    /// <summary>Increments on every connect; publishers use it to notice that a reconnect happened.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    public IMqttClient Client => _client;

    public Task WaitConnectedAsync(CancellationToken cancellationToken) => _connected.Task.WaitAsync(cancellationToken);

    public Task WaitDisconnectedAsync(CancellationToken cancellationToken) => _disconnected.Task.WaitAsync(cancellationToken);

    /// <summary>Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)].</summary>
    internal TimeSpan FullJitter(int attempt)
    {
        var ceiling = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, _options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _connectPipeline.ExecuteAsync(ConnectOnceAsync, stoppingToken).ConfigureAwait(false);
                await WaitUntilDroppedAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The loop that reconnects must outlive any failure; the retry pipeline logs each attempt.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Volatile.Write(ref _lastConnectError, Describe(ex));
                LogConnectFailed(_logger, _options.BrokerHost, _options.BrokerPort, _options.ReconnectBaseDelay.TotalSeconds, _lastConnectError!);
                await Task.Delay(_options.ReconnectBaseDelay, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Returns once the connection made last is gone. A disconnect signal while the client is still connected came from an
    /// earlier connection (see <see cref="OnDisconnectedAsync"/>): reconnecting then would only fail, for good, against a
    /// client that is connected.
    /// </summary>
    private async Task WaitUntilDroppedAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            await _disconnected.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            if (!_client.IsConnected)
            {
                return;
            }

            _disconnected = NewSignal();
            // MQTTnet marks the client disconnected before it raises the event: a drop between the check above and the new
            // signal, whose event completed the old one, is seen here.
            if (!_client.IsConnected)
            {
                return;
            }
        }
    }

    private async ValueTask ConnectOnceAsync(CancellationToken cancellationToken)
    {
        _disconnected = NewSignal();
        var options = BuildClientOptions();
        using var timeout = new CancellationTokenSource(_options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var result = await _client.ConnectAsync(options, linked.Token).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"broker refused the connection: {result.ResultCode} {result.ReasonString}");
        }

        try
        {
            await SubscribeAndAnnounceAsync(linked.Token).ConfigureAwait(false);
        }
        catch
        {
            // Half-open (connected, not subscribed): drop it so the next attempt starts clean.
            await _client.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        Volatile.Write(ref _lastConnectError, null);
        var epoch = Interlocked.Increment(ref _epoch);
        LogConnected(_logger, _options.BrokerHost, _options.BrokerPort, epoch);
        if (Connected is { } connected)
        {
            await connected(epoch).ConfigureAwait(false);
        }

        _connected.TrySetResult();
    }

    private async Task SubscribeAndAnnounceAsync(CancellationToken cancellationToken)
    {
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(_topics.Ack).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .WithTopicFilter(f => f.WithTopic(_topics.Commands).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build(), cancellationToken).ConfigureAwait(false);

        await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(_topics.State)
            .WithPayload(_birth.Build())
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .Build(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Drops the connection (a normal disconnect: no Last Will) so the supervisor connects again with the current
    /// <see cref="BrokerSecurity"/>, and waits up to <paramref name="within"/> for that connect. True once a connect after
    /// the call succeeded; false when none did in time (the supervisor keeps trying). Certificate renewal uses it.
    /// </summary>
    internal async Task<bool> ReconnectAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var before = Epoch;
        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<int, Task> onConnected = epoch =>
        {
            if (epoch > before)
            {
                reconnected.TrySetResult();
            }

            return Task.CompletedTask;
        };
        Connected += onConnected;
        try
        {
            if (_client.IsConnected)
            {
                try
                {
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException)
                {
                    // Dropped meanwhile: the supervisor reconnects either way.
                }
            }

            try
            {
                await reconnected.Task.WaitAsync(within, _timeProvider, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
        finally
        {
            Connected -= onConnected;
        }
    }

    /// <summary>Why the last connect attempt failed (for status and diagnostics); null once connected.</summary>
    public string? LastConnectError => Volatile.Read(ref _lastConnectError);

    internal MqttClientOptions BuildClientOptions()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithClientId(_identity.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            // The endpoint must be set before WithTcpServer(action): MQTTnet 5 checks it before running the action.
            .WithEndPoint(new DnsEndPoint(_options.BrokerHost, _options.BrokerPort))
            .WithTcpServer(o =>
            {
                o.BufferSize = _options.SocketBufferBytes;
                o.NoDelay = true;
            })
            .WithKeepAlivePeriod(_options.KeepAlive)
            // The broker must not send this kiosk anything larger (MQTT 5 Maximum Packet Size): an oversized message from
            // anyone on the broker is dropped there instead of being read into memory here.
            .WithMaximumPacketSize((uint)_options.MaxIncomingPacketBytes)
            .WithCleanStart(true)
            .WithWillTopic(_topics.State)
            .WithWillPayload(_birth.BuildDeath(reason: null))
            .WithWillContentType("application/json")
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain(true);
        if (_security.Tls is { } tls)
        {
            builder = builder.WithTlsOptions(tls.Build());
        }

        var options = builder.Build();
        options.WriterBufferSize = _options.SocketBufferBytes;
        options.WriterBufferSizeMax = _options.SocketBufferBytes * 2;
        return options;
    }

    internal Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        // MQTTnet raises this on a task of its own after marking the client disconnected, so under load it can arrive after
        // the retry that followed a failed subscribe has connected again. Acted on then, it hid the new connection from the
        // publisher (which waited for a connect that never came) and set the supervisor reconnecting a connected client,
        // which fails for ever: a kiosk online and sending nothing, found by the 1,000-kiosk run's broker restart.
        if (_client.IsConnected)
        {
            return Task.CompletedTask;
        }

        // Only signal: reconnecting from inside MQTTnet's handler re-enters the client and races the supervisor.
        if (_connected.Task.IsCompleted)
        {
            _connected = NewSignal();
            if (!_stopping)
            {
                LogDisconnected(_logger, args.Reason, args.Exception?.Message ?? "");
            }
        }

        _disconnected.TrySetResult();
        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_client.IsConnected)
        {
            try
            {
                await _client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(_topics.State)
                    .WithPayload(_birth.BuildDeath(reason: "shutdown"))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithRetainFlag()
                    .Build(), cancellationToken).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
            {
                LogShutdownIncomplete(_logger, ex.Message);
            }
        }

        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    /// <summary>The innermost message says what went wrong (a refused port, a certificate the handshake rejected).</summary>
    private static string Describe(Exception? exception)
    {
        if (exception is null)
        {
            return "refused";
        }

        var inner = exception;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return ReferenceEquals(inner, exception) ? exception.Message : $"{exception.Message} ({inner.Message})";
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Connected to MQTT broker {Host}:{Port} (connection {Epoch})")]
    private static partial void LogConnected(ILogger logger, string host, int port, int epoch);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "MQTT connection lost ({Reason}) {Detail}; reconnecting with backoff")]
    private static partial void LogDisconnected(ILogger logger, MqttClientDisconnectReason reason, string detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Could not announce shutdown on the state topic ({Error}); the Last Will will say it")]
    private static partial void LogShutdownIncomplete(ILogger logger, string error);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Cannot connect to MQTT broker {Host}:{Port}; next try in {DelaySeconds:0.0} s: {Error}")]
    private static partial void LogConnectFailed(ILogger logger, string host, int port, double delaySeconds, string error);
}
