using System.Text.Json;
using Kiosk.Agent.Session;
using Kiosk.Agent.Hosting;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/restart</c>: stops the agent once its result is in the outbox; the service manager starts it again
/// (<see cref="RestartRequest"/>). A check-in in progress is not cut off: without
/// <c>"force": true</c> the command is refused while a person is at the screen, and the platform sends it again later.
/// </summary>
internal sealed class RestartCommand(RestartRequest restart, CheckInSession session) : ICommandHandler
{
    public string Name => "restart";

    public Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        var force = request.Body.TryGetProperty("force", out var value) && value.ValueKind == JsonValueKind.True;
        if (session.State != SessionState.Idle && !force)
        {
            return Task.FromResult(CommandResult.Refused($"a check-in is in progress ({session.State}); send again later, or with \"force\": true"));
        }

        return Task.FromResult(CommandResult.Done("restarting") with
        {
            AfterCommit = () =>
            {
                restart.Request("the platform's restart command " + request.CommandId);
                return Task.CompletedTask;
            },
        });
    }
}
