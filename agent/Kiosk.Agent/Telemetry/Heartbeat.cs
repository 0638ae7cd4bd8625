using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace Kiosk.Agent.Telemetry;

/// <summary>
/// Publishes the heartbeat on <c>telemetry</c> every <see cref="KioskOptions.HeartbeatInterval"/> while connected.
/// While the link is down, every heartbeat after the first is queued in the outbox as telemetry that expires
/// (<see cref="OutboxOptions.TelemetryTimeToLive"/>), so the platform can see the outage from the kiosk's side.
/// Each tick, connected or not, also warns when this kiosk's certificate is near its end (<see cref="ClientCertificateExpiry"/>).
/// </summary>
internal sealed partial class Heartbeat(MqttConnection connection, OutboxStore outbox, DeviceSet devices, SyncStatus status, AgentIdentity identity, BrokerSecurity security, IOptions<KioskOptions> options, IOptions<OutboxOptions> outboxOptions, TimeProvider timeProvider, ILogger<Heartbeat> logger)
    : BackgroundService
{
    private readonly long _startedAt = timeProvider.GetTimestamp();

    /// <summary>Null without TLS (demo profile); made again when a renewal swapped the certificate (see <see cref="Certificate"/>).</summary>
    private ClientCertificateExpiry? _certificate = security.Tls is { } tls ? new ClientCertificateExpiry(tls.ClientCertificateNotAfter, timeProvider, logger) : null;

    /// <summary>The expiry of the certificate in use now (certificate renewal replaces it while the agent runs).</summary>
    private ClientCertificateExpiry? Certificate
    {
        get
        {
            if (security.Tls is { } current && _certificate is { } known && known.NotAfter != current.ClientCertificateNotAfter)
            {
                _certificate = new ClientCertificateExpiry(current.ClientCertificateNotAfter, timeProvider, logger);
            }

            return _certificate;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, timeProvider);
        var first = true;
        try
        {
            do
            {
                Certificate?.WarnIfDue();
                await outbox.PurgeExpiredAsync(stoppingToken).ConfigureAwait(false);
                if (!connection.IsConnected)
                {
                    // At boot the link is usually still coming up: only a heartbeat missed during an outage is queued.
                    if (!first)
                    {
                        await QueueAsync(stoppingToken).ConfigureAwait(false);
                    }

                    first = false;
                    continue;
                }

                first = false;

                try
                {
                    await connection.Client.PublishAsync(new MqttApplicationMessageBuilder()
                        .WithTopic(identity.Topics.Telemetry)
                        .WithPayload(await BuildAsync(stoppingToken).ConfigureAwait(false))
                        .WithContentType("application/json")
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build(), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientNotConnectedException)
                {
                    LogSkipped(logger, ex.Message);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>While the link is down, the heartbeat goes into the outbox as telemetry that expires (evicted first when space runs short).</summary>
    private async Task QueueAsync(CancellationToken cancellationToken)
    {
        var body = JsonNode.Parse(await BuildAsync(cancellationToken).ConfigureAwait(false))!.AsObject();
        try
        {
            await outbox.CommitAsync(new NewRecord(RecordKind.Telemetry, body) { TimeToLive = outboxOptions.Value.TelemetryTimeToLive }, cancellationToken).ConfigureAwait(false);
        }
        catch (OutboxFullException ex)
        {
            LogSkipped(logger, ex.Message);
        }
    }

    internal async Task<byte[]> BuildAsync(CancellationToken cancellationToken)
    {
        var stats = await outbox.GetTotalsAsync(cancellationToken).ConfigureAwait(false);
        var usage = outbox.Usage;
        var now = timeProvider.GetUtcNow();
        var deviceStatus = new JsonObject();
        foreach (var device in devices.All)
        {
            deviceStatus[device.Name] = JsonNamingPolicy.CamelCase.ConvertName(device.Status.ToString());
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(outbox.Path)) ?? ".";
        var heartbeat = new JsonObject
        {
            ["type"] = "heartbeat",
            ["at"] = OutboxTime.Format(now),
            ["bootId"] = identity.BootId,
            ["uptimeS"] = Math.Round(timeProvider.GetElapsedTime(_startedAt).TotalSeconds, 1),
            ["queue"] = new JsonObject
            {
                ["records"] = stats.Records,
                ["bytes"] = stats.Bytes,
                ["oldestUnsyncedAgeS"] = stats.OldestCreatedAt is { } oldest ? Math.Round(Math.Max(0, (now - oldest).TotalSeconds), 1) : null,
                ["budgetBytes"] = usage.BudgetBytes,
                ["usedPercent"] = usage.UsedPercent,
                ["warning"] = usage.AboveWarning,
                ["quarantined"] = stats.Quarantined,
            },
            ["diskFreeBytes"] = new DriveInfo(folder).AvailableFreeSpace,
            ["clockOffsetMs"] = status.ClockOffset is { } offset ? (long)offset.TotalMilliseconds : null,
            ["devices"] = deviceStatus,
            ["tls"] = Certificate?.ToJson(now),
            ["platformMessages"] = new JsonObject
            {
                ["refused"] = new JsonObject([.. status.RefusedByReason.Select(r => KeyValuePair.Create(r.Key, (JsonNode?)r.Value))]),
                ["commandsRun"] = status.CommandsRun,
                ["commandsRepeated"] = status.CommandsRepeated,
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(heartbeat);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Debug, Message = "Heartbeat skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string reason);
}
