using Kiosk.Agent.Control;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>The body of a signed cmd/config as the agent reads it. Contract: never throws; a body or a reason, never both.</summary>
internal sealed class ConfigCommandBodyTarget : IFuzzTarget
{
    public string Name => "cmd-config";

    public string Covers => "agent/Kiosk.Agent.Contracts/Control/CommandBodies.cs ConfigCommandBody.TryParse";

    public void Run(byte[] input) => CommandBodyContract.Check(ConfigCommandBody.TryParse(input, out var body, out var error), body, error);
}

/// <summary>The body of a signed cmd/logs. Contract: never throws; a body or a reason, never both.</summary>
internal sealed class LogsCommandBodyTarget : IFuzzTarget
{
    public string Name => "cmd-logs";

    public string Covers => "agent/Kiosk.Agent.Contracts/Control/CommandBodies.cs LogsCommandBody.TryParse";

    public void Run(byte[] input) => CommandBodyContract.Check(LogsCommandBody.TryParse(input, out var body, out var error), body, error);
}

/// <summary>The body of a signed cmd/alert-disposition. Contract: never throws; a body or a reason, never both.</summary>
internal sealed class AlertDispositionBodyTarget : IFuzzTarget
{
    public string Name => "cmd-alert-disposition";

    public string Covers => "agent/Kiosk.Agent.Contracts/Control/CommandBodies.cs AlertDispositionBody.TryParse";

    public void Run(byte[] input) => CommandBodyContract.Check(AlertDispositionBody.TryParse(input, out var body, out var error), body, error);
}

internal static class CommandBodyContract
{
    public static void Check(bool parsed, object? body, string? error)
    {
        if (parsed != body is not null || parsed == error is not null)
        {
            throw new ContractViolationException($"TryParse returned {parsed} with {(body is null ? "no body" : "a body")} and {(error is null ? "no reason" : "a reason")}");
        }
    }
}
