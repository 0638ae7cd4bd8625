using System.Globalization;
using System.Text.Json;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Kiosk.Agent.Sync;
using Kiosk.Devices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.LocalApi;

/// <summary>
/// The agent's own endpoints on the local API, for kioskctl and monitoring:
/// <c>GET /api/status</c>, <c>GET /api/queue?limit=N</c> and <c>POST /api/queue/retry</c>.
/// They show metadata only: never a record's body, an attachment's bytes or anything biometric.
/// Thread safety: every handler may run concurrently; they only read the agent's thread-safe state.
/// </summary>
internal sealed class AgentApi(
    Kiosk.Agent.Control.PlatformKeyRing platformKeys,
    AgentIdentity identity,
    IOptions<KioskOptions> kiosk,
    IOptions<SyncOptions> sync,
    OutboxStore outbox,
    MqttConnection connection,
    OutboxPublisher publisher,
    SyncStatus status,
    DeviceSet devices,
    IRoster roster,
    BrokerSecurity security,
    TimeProvider timeProvider) : ILocalApiModule
{
    /// <summary>A backlog older than this means the platform has not been confirming: degraded.</summary>
    public static readonly TimeSpan BacklogAgeLimit = TimeSpan.FromHours(1);

    /// <summary>A device may report <see cref="DeviceStatus.Starting"/> this long after start before it counts as a problem.</summary>
    private static readonly TimeSpan StartingGrace = TimeSpan.FromMinutes(1);

    /// <summary>From this long before its end, this kiosk's certificate is a problem to report (as the heartbeat's warning).</summary>
    private static readonly TimeSpan CertificateRenewalNotice = TimeSpan.FromDays(30);

    public const int DefaultQueueLimit = 100;
    public const int MaxQueueLimit = 10_000;

    private readonly DateTimeOffset _startedAt = timeProvider.GetUtcNow();
    private readonly long _startedTimestamp = timeProvider.GetTimestamp();

    public void Map(IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup("/api");
        api.MapGet("/status", GetStatusAsync);
        api.MapGet("/queue", GetQueue);
        api.MapPost("/queue/retry", Retry);
    }

    private async Task<IResult> GetStatusAsync(CancellationToken cancellationToken) =>
        Results.Json(await BuildStatusAsync(cancellationToken).ConfigureAwait(false), LocalApiJson.Options);

    internal async Task<AgentStatusReport> BuildStatusAsync(CancellationToken cancellationToken)
    {
        var stats = await outbox.GetTotalsAsync(cancellationToken).ConfigureAwait(false);
        var usage = outbox.Usage;
        var now = timeProvider.GetUtcNow();
        var uptime = timeProvider.GetElapsedTime(_startedTimestamp);
        var options = sync.Value;
        var broker = new BrokerLinkReport(connection.IsConnected, options.BrokerHost, options.BrokerPort, options.Tls.Enabled, connection.Epoch, status.LastConnectedAt, connection.LastConnectError, security.Tls?.ClientCertificateNotAfter);
        var oldestAge = stats.OldestCreatedAt is { } oldest ? now - oldest : (TimeSpan?)null;
        var backlog = new OutboxReport(
            stats.Records, stats.Bytes, stats.CheckIns, stats.Alerts, stats.Quarantined, stats.OldestCreatedAt,
            oldestAge is { } age ? Math.Round(Math.Max(0, age.TotalSeconds), 1) : null,
            usage.BudgetBytes, usage.UsedBytes, usage.UsedPercent, usage.AboveWarning);
        var counters = new SyncReport(
            status.RecordsPublished, status.RecordsAcknowledged, status.RecordsResent, publisher.AwaitingAckSeqs.Count,
            status.ChunksPublished, status.ChunksSkipped, status.MalformedAcks, status.AckIdsIgnored, status.AcksDropped)
        {
            Refused = status.RefusedByReason,
            CommandsRun = status.CommandsRun,
        };
        var deviceReports = devices.All
            .Select(d => new DeviceReport(d.Name, Camel(d.DeviceClass.ToString()), Camel(d.Status.ToString()), IsHealthy(d.Status, uptime), Kiosk.Devices.Redact.Credentials(d.Capabilities.Model), d.ClaimedBy))
            .ToList();

        var problems = new List<string>();
        if (!broker.Connected)
        {
            problems.Add($"not connected to the broker {broker.Host}:{broker.Port.ToString(CultureInfo.InvariantCulture)}{(broker.LastError is { } error ? $" ({error})" : "")}");
        }

        if (broker.ClientCertificateNotAfter is { } notAfter && notAfter - now < CertificateRenewalNotice)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"this kiosk's certificate {(notAfter <= now ? "expired" : "expires")} at {notAfter:yyyy-MM-dd HH:mm} UTC: renew it (kioskctl init --force, then kioskctl enroll with a new token)"));
        }

        if (oldestAge > BacklogAgeLimit)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the oldest of {stats.Records} waiting records was committed {oldestAge.Value.TotalHours:0.0} h ago and the platform has not confirmed it"));
        }

        if (usage.AboveWarning)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"the outbox uses {usage.UsedPercent}% of its budget (Kiosk:Outbox:BudgetBytes)"));
        }

        if (platformKeys.Problem is { } keyProblem)
        {
            problems.Add(keyProblem + ": every ack and command is refused, so nothing is deleted or changed");
        }

        if (stats.Quarantined > 0)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{stats.Quarantined} records are quarantined (kept, not sent): staff must look at them (kioskctl queue list)"));
        }

        if (!roster.IsLoaded)
        {
            problems.Add("no roster: the platform has not sent this kiosk the people who may check in, so it takes no check-ins yet");
        }

        problems.AddRange(deviceReports.Where(d => !d.Healthy).Select(d => $"device {d.Name} is {d.Status}"));

        return new AgentStatusReport(
            identity.SiteId, identity.KioskId, AgentIdentity.AgentVersion, identity.BootId, kiosk.Value.Profile,
            _startedAt, Math.Round(uptime.TotalSeconds, 1), problems.Count == 0, problems,
            broker, backlog, counters, status.ClockOffset is { } offset ? (long)offset.TotalMilliseconds : null, new RosterReport(roster.IsLoaded), deviceReports);
    }

    private IResult GetQueue(HttpRequest request)
    {
        var limit = DefaultQueueLimit;
        if (request.Query.TryGetValue("limit", out var text)
            && !(text.Count == 1 && int.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxQueueLimit))
        {
            return Results.Json(new LocalApiError($"limit '{text}' is not valid: give a whole number from 1 to {MaxQueueLimit} (default {DefaultQueueLimit})"), LocalApiJson.Options, statusCode: StatusCodes.Status400BadRequest);
        }

        var now = timeProvider.GetUtcNow();
        using var connection = OutboxQueueReader.OpenReadOnly(outbox.Path);
        using var snapshot = OutboxQueueReader.ReadSnapshot(connection);
        var totals = OutboxQueueReader.Totals(connection, now);
        var (records, unreadable) = OutboxQueueReader.ReadPending(connection, now, limit, includeBody: false);
        var inFlight = publisher.AwaitingAckSeqs;
        var items = records.Select(r => new QueueItem(
            r.Seq, r.RecordId, r.Kind.WireName(), (int)r.Priority, r.CreatedAt, r.Bytes, r.Attempts, r.LastSentAt, inFlight.Contains(r.Seq), r.Quarantine,
            [.. r.Attachments.Select(a => new QueueAttachment(a.AttachmentId, a.ContentType, a.Length, a.Biometric, a.Sealed, a.AckedChunks))]))
            .ToList();
        return Results.Json(new QueueReport(totals.Records, totals.Bytes, items, [.. unreadable.Select(u => new UnreadableItem(u.Seq, u.RecordId, u.Problem))]), LocalApiJson.Options);
    }

    private IResult Retry() =>
        Results.Json(new RetryReport(publisher.RetryUnacknowledged(), connection.IsConnected), LocalApiJson.Options);

    private static bool IsHealthy(DeviceStatus deviceStatus, TimeSpan uptime) =>
        deviceStatus is DeviceStatus.Online or DeviceStatus.Busy || (deviceStatus == DeviceStatus.Starting && uptime < StartingGrace);

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);
}
