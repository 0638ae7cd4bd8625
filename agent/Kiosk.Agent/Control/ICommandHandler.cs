using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;

namespace Kiosk.Agent.Control;

/// <summary>
/// One platform command, <c>kiosk/v1/{site}/{kiosk}/cmd/{Name}</c>. The dispatcher has already verified the signature,
/// addressee, time and nonce, and made sure this <see cref="CommandRequest.CommandId"/> runs once; the handler validates
/// its arguments (a bad one is a <see cref="CommandStatus.Refused"/> result naming it, never an exception) and acts.
/// Its result goes into the outbox as a <c>commandResult</c> record, so it reaches the platform even across restarts.
/// Register with <c>services.AddSingleton&lt;ICommandHandler, T&gt;()</c>.
/// </summary>
public interface ICommandHandler
{
    /// <summary>The topic segment after <c>cmd/</c>: lower case, <c>^[a-z][a-z0-9-]{0,31}$</c>.</summary>
    string Name { get; }

    /// <summary>Largest signed message this command accepts; larger ones are refused (oversized) before verification.</summary>
    int MaxMessageBytes => 64 * 1024;

    /// <summary>Runs the command. Throwing is reported as <see cref="CommandStatus.Failed"/> with the exception's type only.</summary>
    Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken);
}

/// <summary>A verified command: its id (unique per command, kept when the platform sends it again) and its whole JSON body.</summary>
public sealed record CommandRequest(string CommandId, string Name, JsonElement Body, VerifiedMessage Message);

public enum CommandStatus
{
    /// <summary>Done as asked.</summary>
    Done,

    /// <summary>Not done: the arguments are invalid or the command does not apply (the message says which and why).</summary>
    Refused,

    /// <summary>Tried and failed; nothing changed, or the previous state was restored (the message says which).</summary>
    Failed,
}

/// <summary>What a command did. <see cref="Detail"/> is command-specific; <see cref="Attachments"/> travel with the result record.</summary>
public sealed record CommandResult(CommandStatus Status, string Message)
{
    public JsonObject? Detail { get; init; }

    public IReadOnlyList<NewAttachment> Attachments { get; init; } = [];

    /// <summary>Runs after the result is committed to the outbox (a restart goes only once its result is safe).</summary>
    public Func<Task>? AfterCommit { get; init; }

    /// <summary>
    /// No result now: the dispatcher marks the command deferred (<see cref="ControlStore.DeferCommandAsync"/>), runs
    /// <see cref="AfterCommit"/>, and the handler gives the result later through <see cref="CommandProcessor.CommitResultAsync"/>
    /// (after a restart, say).
    /// </summary>
    public bool IsDeferred { get; init; }

    public static CommandResult Defer(Func<Task>? then = null) => new(CommandStatus.Done, "") { IsDeferred = true, AfterCommit = then };

    public static CommandResult Done(string message, JsonObject? detail = null) => new(CommandStatus.Done, message) { Detail = detail };

    public static CommandResult Refused(string message) => new(CommandStatus.Refused, message);

    public static CommandResult Failed(string message) => new(CommandStatus.Failed, message);
}
