using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Configuration.Editing;
using Kiosk.Agent.Control.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Session;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/config</c>: changes keys of the platform's settings (<see cref="ConfigCommandBody"/>), the file
/// <c>{DataFolder}/platform-config.json</c> laid over the technician's configuration file (<see cref="PlatformConfig"/>);
/// the technician's file is only read. A change is checked exactly as <c>kioskctl config set</c> checks one
/// (<see cref="KioskConfigEditor"/>) on the configuration the agent would start with (the technician's file, the
/// platform's, the change), minus the keys of <see cref="RemoteConfigPolicy"/>; <c>remove</c> takes a key out of the
/// platform's file, so the technician's value applies again. The agent reads its options at start, so an accepted change
/// is written, kept with the platform's file it replaced (none: <see cref="PendingConfigChange.Previous"/> empty,
/// <see cref="ControlStore.SavePendingConfigChangeAsync"/>), and the agent restarts; the result comes after the restart
/// from <see cref="ConfigChangeMonitor"/>: done when the agent reports healthy in time, else failed and rolled back.
/// </summary>
internal sealed partial class ConfigCommand(
    AgentConfigFile configFile, ControlStore control, RestartRequest restart, CheckInSession session, DriverRegistry drivers, IHostEnvironment environment, TimeProvider time, ILogger<ConfigCommand> logger)
    : ICommandHandler
{
    public string Name => "config";

    public async Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (!ConfigCommandBody.TryParse(Encoding.UTF8.GetBytes(request.Body.GetRawText()), out var body, out var error))
        {
            return CommandResult.Refused(error);
        }

        if (configFile.Path is not { } path || configFile.Platform is not { } platform)
        {
            return CommandResult.Refused("this agent runs without a configuration file (KIOSK_CONFIG is not set, as in the demo): there is no file to change remotely. Configure it where it is started.");
        }

        foreach (var edit in body.Edits)
        {
            if (RemoteConfigPolicy.WhyDenied(edit.Key) is { } denied)
            {
                return CommandResult.Refused(denied);
            }
        }

        if (control.LoadPendingConfigChange() is { } pending)
        {
            return CommandResult.Refused($"configuration change {pending.CommandId} is still being tried; send this one again once its result has arrived");
        }

        if (session.State != SessionState.Idle)
        {
            return CommandResult.Refused($"a check-in is in progress ({session.State}) and a configuration change restarts the agent; send it again later");
        }

        KioskConfigDocument file;
        try
        {
            file = KioskConfigDocument.Parse(path, await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or KioskConfigDocumentException)
        {
            return CommandResult.Failed($"the configuration file cannot be read ({ex.Message}); nothing changed");
        }

        var overlay = PlatformConfig.Read(platform.Path);
        if (overlay.Problem is { } problem)
        {
            return CommandResult.Failed($"{problem}; nothing changed. A technician can remove that file at the kiosk (the kiosk's own configuration then applies alone).");
        }

        var plan = KioskConfigEditor.Plan(overlay.Document, body.Edits, environment.ContentRootPath, drivers.All, force: false, "The keys are listed in the README's configuration table.", overlayOn: file);
        switch (plan.Outcome)
        {
            case KioskConfigEditOutcome.KeyRefused:
            case KioskConfigEditOutcome.Unreadable:
                return CommandResult.Refused(plan.Message!);
            case KioskConfigEditOutcome.WouldNotStart:
                return CommandResult.Refused($"with {Describe(plan.Changes)} the agent would not start: {string.Join(" ", plan.Introduced)} Nothing changed.");
            case KioskConfigEditOutcome.Unchanged:
                return CommandResult.Done("unchanged: every key already has the value asked for", new JsonObject { ["changes"] = new JsonArray(), ["restarted"] = false });
        }

        var changes = ChangesJson(plan.Changes);
        await control.SavePendingConfigChangeAsync(
            new PendingConfigChange(request.CommandId, time.GetUtcNow(), platform.Path, overlay.Bytes, changes.ToJsonString(), PendingConfigChange.Applied, 0, null),
            cancellationToken).ConfigureAwait(false);
        try
        {
            ConfigFileWriter.Replace(platform.Path, plan.Bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await control.DeletePendingConfigChangeAsync(request.CommandId, CancellationToken.None).ConfigureAwait(false);
            return CommandResult.Failed($"cannot write {platform.Path} ({ex.GetType().Name}: {ex.Message}); nothing changed. The agent's service user must be allowed to write its data folder.");
        }

        LogApplied(logger, request.CommandId, string.Join(", ", plan.Changes.Select(c => c.Key)));
        return CommandResult.Defer(() =>
        {
            restart.Request("configuration change " + request.CommandId);
            return Task.CompletedTask;
        });
    }

    /// <summary><c>[{"key", "old", "new"}]</c>, secrets redacted.</summary>
    public static JsonArray ChangesJson(IEnumerable<KioskConfigChange> changes) =>
        [.. changes.Select(c => (JsonNode)new JsonObject { ["key"] = c.Key, ["old"] = c.OldText, ["new"] = c.NewText })];

    private static string Describe(IReadOnlyList<KioskConfigChange> changes) => string.Join(", ", changes.Select(c => $"{c.Key} = {c.NewText}"));

    [LoggerMessage(EventId = 2320, Level = LogLevel.Warning, Message = "Configuration change {CommandId} written to the platform's settings (keys {Keys}); the agent restarts to apply it")]
    private static partial void LogApplied(ILogger logger, string commandId, string keys);
}
