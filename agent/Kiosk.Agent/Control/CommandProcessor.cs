using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace Kiosk.Agent.Control;

/// <summary>
/// Receives platform commands on <c>cmd/{name}</c>, verifies each (<see cref="PlatformMessageVerifier"/>, then its nonce,
/// durably), runs each command id once, one command at a time, and commits every result to the outbox as a
/// <c>commandResult</c> record, so it reaches the platform whatever happens to the link. The receive side never throws
/// and never blocks MQTTnet's loop; the queue is bounded and a command that does not fit is dropped and counted (the
/// platform sends a command again until it has its result). A command interrupted by a crash or restart gets a
/// <c>failed</c> result at the next start, so the platform never waits for a result that cannot come.
/// </summary>
public sealed partial class CommandProcessor : BackgroundService
{
    /// <summary>Commands waiting to run.</summary>
    public const int QueueCapacity = 64;

    private const int UnknownCommandMaxBytes = 64 * 1024;
    private readonly Dictionary<string, ICommandHandler> _handlers;
    private readonly PlatformMessageVerifier _verifier;
    private readonly ControlStore _control;
    private readonly OutboxStore _outbox;
    private readonly SyncStatus _status;
    private readonly AgentIdentity _identity;
    private readonly TimeProvider _time;
    private readonly ILogger<CommandProcessor> _logger;
    private readonly Channel<(string Name, VerifiedMessage Message)> _queue = Channel.CreateBounded<(string, VerifiedMessage)>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    internal CommandProcessor(IEnumerable<ICommandHandler> handlers, PlatformMessageVerifier verifier, ControlStore control, OutboxStore outbox, SyncStatus status, AgentIdentity identity, MqttConnection connection, TimeProvider time, ILogger<CommandProcessor> logger)
        : this(handlers, verifier, control, outbox, status, identity, time, logger)
    {
        connection.MessageReceived += OnMessageAsync;
    }

    internal CommandProcessor(IEnumerable<ICommandHandler> handlers, PlatformMessageVerifier verifier, ControlStore control, OutboxStore outbox, SyncStatus status, AgentIdentity identity, TimeProvider time, ILogger<CommandProcessor> logger)
    {
        _handlers = handlers.ToDictionary(h => h.Name, StringComparer.Ordinal);
        _verifier = verifier;
        _control = control;
        _outbox = outbox;
        _status = status;
        _identity = identity;
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised after a command's result is committed to the outbox (tests, the local API).</summary>
    public event EventHandler<CommandCompletedEventArgs>? Completed;

    /// <summary>The commands this agent knows.</summary>
    public IReadOnlyCollection<string> Names => _handlers.Keys;

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        if (topic.StartsWith(_identity.Topics.CommandPrefix, StringComparison.Ordinal))
        {
            Offer(topic, e.ApplicationMessage.Payload);
        }

        return Task.CompletedTask;
    }

    /// <summary>Verifies one command message and queues it; never throws, never blocks.</summary>
    public void Offer(string topic, ReadOnlySequence<byte> payload)
    {
        var name = topic.Length > _identity.Topics.CommandPrefix.Length ? topic[_identity.Topics.CommandPrefix.Length..] : "";
        var limit = _handlers.TryGetValue(name, out var handler) ? handler.MaxMessageBytes : UnknownCommandMaxBytes;
        var refusal = _verifier.Verify(topic, payload, limit, out var message, out var why);
        if (refusal != Refusal.None)
        {
            _status.RefusedOne(refusal);
            PlatformMessageLog.Refused(_logger, topic, refusal.WireName(), why);
            return;
        }

        if (!_queue.Writer.TryWrite((name, message!)))
        {
            LogQueueFull(_logger, name, QueueCapacity);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ReportInterruptedAsync(stoppingToken).ConfigureAwait(false);
            await foreach (var (name, message) in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await RunOneAsync(name, message, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A dead command loop stops every later command; log, the platform sends it again.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogLoopFailure(_logger, name, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task RunOneAsync(string name, VerifiedMessage message, CancellationToken cancellationToken)
    {
        if (!await _control.TryRecordNonceAsync(message.Nonce, message.ExpiresAt, cancellationToken).ConfigureAwait(false))
        {
            _status.RefusedOne(Refusal.Replayed);
            PlatformMessageLog.Refused(_logger, message.Topic, Refusal.Replayed.WireName(), "its nonce was seen before");
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message.Payload);
        }
        catch (JsonException)
        {
            // Signed by the platform yet not JSON: a platform defect, not an attack; it gets no result (no command id).
            _status.RefusedOne(Refusal.Malformed);
            PlatformMessageLog.Refused(_logger, message.Topic, Refusal.Malformed.WireName(), "the signed payload is not JSON");
            return;
        }

        using (document)
        {
            var body = document.RootElement;
            // TryGetText, not GetString: a signed id holding half a surrogate pair must be refused, not thrown on (fuzz).
            string? commandId = null;
            if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("commandId", out var idElement) || idElement.ValueKind != JsonValueKind.String
                || !CommandBodyReader.TryGetText(idElement, out commandId) || commandId.Length is 0 or > 64 || !commandId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                _status.RefusedOne(Refusal.Malformed);
                PlatformMessageLog.Refused(_logger, message.Topic, Refusal.Malformed.WireName(), "no valid commandId (1..64 of A-Z a-z 0-9 - _)");
                return;
            }

            if (!await _control.TryStartCommandAsync(commandId, name, cancellationToken).ConfigureAwait(false))
            {
                // Sent again (the platform had no result yet): its result is already in the outbox, or comes from the run under way.
                _status.CommandRepeated();
                LogRepeated(_logger, name, commandId);
                return;
            }

            var receivedAt = _time.GetUtcNow();
            CommandResult result;
            if (!_handlers.TryGetValue(name, out var handler))
            {
                result = CommandResult.Refused($"this kiosk does not know the command '{name}'; it knows {string.Join(", ", _handlers.Keys.Order(StringComparer.Ordinal))}");
            }
            else
            {
                LogRunning(_logger, name, commandId);
                try
                {
                    result = await handler.RunAsync(new CommandRequest(commandId, name, body, message), cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // Whatever a handler throws becomes a failed result; the exception's text may hold personal data, its type does not.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    LogHandlerFailed(_logger, name, commandId, ex.GetType().Name);
                    result = CommandResult.Failed($"the command failed ({ex.GetType().Name})");
                }
            }

            _status.CommandRun();
            if (result.IsDeferred)
            {
                await _control.DeferCommandAsync(commandId, cancellationToken).ConfigureAwait(false);
                if (result.AfterCommit is { } next)
                {
                    await next().ConfigureAwait(false);
                }

                return;
            }

            await CommitResultAsync(commandId, name, receivedAt, result, cancellationToken).ConfigureAwait(false);
            if (result.AfterCommit is { } then)
            {
                await then().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Commits a command's result to the outbox (kind commandResult) and notes it against the command.</summary>
    public async Task CommitResultAsync(string commandId, string name, DateTimeOffset receivedAt, CommandResult result, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["commandId"] = commandId,
            ["command"] = name,
            ["status"] = result.Status switch { CommandStatus.Done => "done", CommandStatus.Refused => "refused", _ => "failed" },
            ["message"] = result.Message,
            ["receivedAt"] = OutboxTime.Format(receivedAt),
            ["finishedAt"] = OutboxTime.Format(_time.GetUtcNow()),
        };
        if (result.Detail is not null)
        {
            body["detail"] = result.Detail.DeepClone();
        }

        var receipt = await _outbox.CommitAsync(new NewRecord(RecordKind.CommandResult, body) { Attachments = result.Attachments }, cancellationToken).ConfigureAwait(false);
        await _control.SetCommandResultAsync(commandId, receipt.RecordId, cancellationToken).ConfigureAwait(false);
        LogCompleted(_logger, name, commandId, (string)body["status"]!);
        Completed?.Invoke(this, new CommandCompletedEventArgs(commandId, name, result, receipt.RecordId));
    }

    private async Task ReportInterruptedAsync(CancellationToken cancellationToken)
    {
        foreach (var (commandId, name, receivedAt) in await _control.ReadUnfinishedCommandsAsync(cancellationToken).ConfigureAwait(false))
        {
            await CommitResultAsync(commandId, name, receivedAt, CommandResult.Failed("the agent stopped before the command finished; send it again with a new commandId to retry"), cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "The command queue is full ({Capacity}); command {Name} was dropped and is sent again by the platform")]
    private static partial void LogQueueFull(ILogger logger, string name, int capacity);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Information, Message = "Command {Name} {CommandId} was run before; not run again")]
    private static partial void LogRepeated(ILogger logger, string name, string commandId);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Information, Message = "Running command {Name} {CommandId}")]
    private static partial void LogRunning(ILogger logger, string name, string commandId);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Information, Message = "Command {Name} {CommandId}: {Status}")]
    private static partial void LogCompleted(ILogger logger, string name, string commandId, string status);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Error, Message = "Command {Name} {CommandId} threw {ExceptionType}")]
    private static partial void LogHandlerFailed(ILogger logger, string name, string commandId, string exceptionType);

    [LoggerMessage(EventId = 2307, Level = LogLevel.Error, Message = "The command loop failed on {Name} ({ExceptionType}); it goes on with the next command")]
    private static partial void LogLoopFailure(ILogger logger, string name, string exceptionType);
}

public sealed class CommandCompletedEventArgs(string commandId, string name, CommandResult result, string resultRecordId) : EventArgs
{
    public string CommandId { get; } = commandId;

    public string Name { get; } = name;

    public CommandResult Result { get; } = result;

    public string ResultRecordId { get; } = resultRecordId;
}
