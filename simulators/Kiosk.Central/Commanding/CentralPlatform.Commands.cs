using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Central.Commanding;
using Kiosk.Central.Messages;
using Kiosk.Central.Signing;

namespace Kiosk.Central;

/// <summary>
/// The operator side of commands (docs/mqtt-contract.md, "Commands"): a command goes to one kiosk signed, is sent again
/// (with a new signature and nonce, the same commandId) every time that kiosk announces itself online until its
/// <c>commandResult</c> record arrives, and the result is kept and announced. Pending commands live in memory: a
/// simulator restart forgets them (the kiosk's result still arrives and is stored as a record).
/// </summary>
public sealed partial class CentralPlatform
{
    private readonly ConcurrentDictionary<string, PendingCommand> _pendingCommands = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CommandResultView> _commandResults = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CommandResultView>> _resultWaiters = new(StringComparer.Ordinal);

    private sealed record PendingCommand(string SiteId, string KioskId, string Name, byte[] Body, TimeSpan Lifetime);

    /// <summary>Raised when a kiosk's command result is stored (once per command id).</summary>
    public event EventHandler<CommandResultView>? CommandResultReceived;

    /// <summary>Results received so far, by command id.</summary>
    public IReadOnlyDictionary<string, CommandResultView> CommandResults => _commandResults;

    /// <summary>
    /// Sends command <paramref name="name"/> with <paramref name="arguments"/> to kiosk <paramref name="siteId"/>/<paramref name="kioskId"/>
    /// and returns its commandId. It is sent now and again after each birth of that kiosk until its result arrives.
    /// </summary>
    /// <param name="lifetime">How long each signed copy is valid (default <see cref="PlatformSigner.CommandLifetime"/>).</param>
    public async Task<string> SendCommandAsync(string siteId, string kioskId, string name, JsonObject arguments, CancellationToken ct, TimeSpan? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var commandId = Guid.CreateVersion7(_time.GetUtcNow()).ToString("D");
        var body = (JsonObject)arguments.DeepClone();
        body["commandId"] = commandId;
        var pending = new PendingCommand(siteId, kioskId, name, JsonSerializer.SerializeToUtf8Bytes(body), lifetime ?? PlatformSigner.CommandLifetime);
        _pendingCommands[commandId] = pending;
        _resultWaiters.GetOrAdd(commandId, _ => new TaskCompletionSource<CommandResultView>(TaskCreationOptions.RunContinuationsAsynchronously));
        await PublishCommandAsync(pending, ct);
        return commandId;
    }

    /// <summary>Waits for the result of <paramref name="commandId"/>.</summary>
    public Task<CommandResultView> WaitForCommandResultAsync(string commandId, CancellationToken ct) =>
        _resultWaiters.GetOrAdd(commandId, _ => new TaskCompletionSource<CommandResultView>(TaskCreationOptions.RunContinuationsAsynchronously)).Task.WaitAsync(ct);

    private async Task PublishCommandAsync(PendingCommand command, CancellationToken ct)
    {
        var topic = KioskTopic.CommandTopic(command.SiteId, command.KioskId, command.Name);
        await _connection.PublishAsync(topic, Signer.Sign(topic, command.SiteId, command.KioskId, command.Body, command.Lifetime), ct);
    }

    /// <summary>A kiosk came online: whatever it has not answered goes again (its earlier copy may have found it away).</summary>
    private void ResendPendingCommands(string siteId, string kioskId)
    {
        foreach (var (commandId, command) in _pendingCommands)
        {
            if (command.SiteId == siteId && command.KioskId == kioskId)
            {
                _ = ResendAsync(commandId, command);
            }
        }
    }

    private async Task ResendAsync(string commandId, PendingCommand command)
    {
        try
        {
            await PublishCommandAsync(command, CancellationToken.None);
        }
#pragma warning disable CA1031 // The next birth sends it again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _log.WriteLine($"central: command {commandId} not sent again yet ({ex.GetType().Name}); it goes at the kiosk's next birth");
        }
    }

    private void TakeCommandResult(RecordEnvelope record)
    {
        if (record.Kind != "commandResult")
        {
            return;
        }

        try
        {
            var body = JsonNode.Parse(record.Json)?["body"]?.AsObject();
            if (body?["commandId"]?.GetValue<string>() is not { } commandId)
            {
                _log.WriteLine($"central: commandResult {record.RecordId} names no commandId");
                return;
            }

            var view = new CommandResultView(
                record.SiteId,
                record.KioskId,
                commandId,
                body["command"]?.GetValue<string>() ?? "",
                body["status"]?.GetValue<string>() ?? "",
                body["message"]?.GetValue<string>() ?? "",
                body["detail"]?.DeepClone().AsObject(),
                record.RecordId);
            _pendingCommands.TryRemove(commandId, out _);
            if (_commandResults.TryAdd(commandId, view))
            {
                _log.WriteLine($"central: {record.KioskKey} command {view.Command} {commandId}: {view.Status}: {view.Message}");
                _resultWaiters.GetOrAdd(commandId, _ => new TaskCompletionSource<CommandResultView>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(view);
                CommandResultReceived?.Invoke(this, view);
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            _log.WriteLine($"central: commandResult {record.RecordId} is not readable ({ex.GetType().Name})");
        }
    }
}
