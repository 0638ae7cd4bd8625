using System.Globalization;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Control.Configuration;

/// <summary>
/// Judges a configuration change after the restart it needed (<see cref="Commands.ConfigCommand"/>). At start, with a
/// change pending: when the agent connects to the broker within <see cref="ControlOptions.ConfigHealthTimeout"/> the
/// result is <c>done</c>; when it does not, or when it had already started once with the new file and stopped before
/// reporting healthy (a crash, a restart during the trial), the previous file is put back and the agent restarts again;
/// started with the previous file, it gives the result <c>failed</c>, "rolled back", and why. The result is a
/// <c>commandResult</c> record like every other, so it reaches the platform once the agent is connected again. "The
/// file" is the platform's settings (<see cref="PlatformConfig"/>); when there was none before the change, rolling back
/// deletes it. At start it also names every key of the platform's settings the agent ignored (the deny list).
/// </summary>
internal sealed partial class ConfigChangeMonitor(
    ControlStore control, CommandProcessor commands, SyncStatus status, RestartRequest restart, IOptions<KioskOptions> options, AgentConfigFile configFile, TimeProvider time, ILogger<ConfigChangeMonitor> logger)
    : BackgroundService
{
    /// <summary>How often the link is looked at while the trial runs.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (configFile.Platform is { Loaded: { } loaded })
        {
            if (loaded.Problem is { } problem)
            {
                LogPlatformUnreadable(logger, problem);
            }

            foreach (var key in loaded.Ignored)
            {
                LogPlatformKeyIgnored(logger, loaded.Path, key, PlatformConfig.WhyIgnored(key) ?? "");
            }
        }

        try
        {
            await JudgeAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped during the trial: judged at the next start (a second start with the new file rolls it back).
        }
#pragma warning disable CA1031 // A failure here must not stop the host; the pending change is judged again at the next start.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(logger, ex.GetType().Name);
        }
    }

    private async Task JudgeAsync(CancellationToken cancellationToken)
    {
        if (control.LoadPendingConfigChange() is not { } change)
        {
            return;
        }

        var changes = JsonNode.Parse(change.Changes) as JsonArray ?? [];
        if (change.Phase == PendingConfigChange.RolledBack)
        {
            await commands.CommitResultAsync(change.CommandId, "config", change.ReceivedAt, CommandResult.Failed($"rolled back: {change.Reason} The previous configuration is running again.") with
            {
                Detail = new JsonObject { ["changes"] = changes, ["restarted"] = true, ["rolledBack"] = true, ["reason"] = change.Reason },
            }, cancellationToken).ConfigureAwait(false);
            await control.DeletePendingConfigChangeAsync(change.CommandId, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        change = change with { Starts = change.Starts + 1 };
        await control.SavePendingConfigChangeAsync(change, cancellationToken).ConfigureAwait(false);
        if (change.Starts > 1)
        {
            await RollBackAsync(change, "the agent stopped before it reported healthy with the new configuration.", cancellationToken).ConfigureAwait(false);
            return;
        }

        var bound = options.Value.Control.ConfigHealthTimeout;
        var started = time.GetTimestamp();
        while (status.LastConnectedAt is null)
        {
            if (time.GetElapsedTime(started) >= bound)
            {
                await RollBackAsync(change, $"the agent did not connect to the broker within {bound.ToString("c", CultureInfo.InvariantCulture)} with the new configuration.", cancellationToken).ConfigureAwait(false);
                return;
            }

            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }

        await commands.CommitResultAsync(change.CommandId, "config", change.ReceivedAt, CommandResult.Done($"applied {changes.Count} key{(changes.Count == 1 ? "" : "s")}; the agent restarted and is connected") with
        {
            Detail = new JsonObject { ["changes"] = changes, ["restarted"] = true, ["rolledBack"] = false },
        }, cancellationToken).ConfigureAwait(false);
        await control.DeletePendingConfigChangeAsync(change.CommandId, CancellationToken.None).ConfigureAwait(false);
        LogHealthy(logger, change.CommandId);
    }

    private async Task RollBackAsync(PendingConfigChange change, string reason, CancellationToken cancellationToken)
    {
        if (change.Previous.Length == 0)
        {
            File.Delete(change.ConfigPath); // there was no platform's file before the change
        }
        else
        {
            ConfigFileWriter.Replace(change.ConfigPath, change.Previous);
        }

        await control.SavePendingConfigChangeAsync(change with { Phase = PendingConfigChange.RolledBack, Reason = reason }, cancellationToken).ConfigureAwait(false);
        LogRollingBack(logger, change.CommandId, reason);
        restart.Request("rolled back configuration change " + change.CommandId);
    }

    [LoggerMessage(EventId = 2321, Level = LogLevel.Warning, Message = "Configuration change {CommandId} is healthy: the agent connected with it")]
    private static partial void LogHealthy(ILogger logger, string commandId);

    [LoggerMessage(EventId = 2322, Level = LogLevel.Error, Message = "Configuration change {CommandId} is rolled back: {Reason} The previous file is back; the agent restarts")]
    private static partial void LogRollingBack(ILogger logger, string commandId, string reason);

    [LoggerMessage(EventId = 2324, Level = LogLevel.Warning, Message = "The platform's settings {Path} set {Key}, which the agent does not take from there: ignored, the kiosk's own configuration applies. {Why}")]
    private static partial void LogPlatformKeyIgnored(ILogger logger, string path, string key, string why);

    [LoggerMessage(EventId = 2325, Level = LogLevel.Error, Message = "The platform's settings are ignored, the kiosk's own configuration applies alone: {Problem}")]
    private static partial void LogPlatformUnreadable(ILogger logger, string problem);

    [LoggerMessage(EventId = 2323, Level = LogLevel.Error, Message = "Judging the pending configuration change failed ({ExceptionType}); it is judged again at the next start")]
    private static partial void LogFailed(ILogger logger, string exceptionType);
}
