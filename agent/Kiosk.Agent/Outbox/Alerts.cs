using System.Text.Json.Nodes;
using Kiosk.Agent.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Raises alerts: every alert is an outbox record (kind <c>alert</c>, drained before check-ins) with the same fields,
/// <c>alertType</c>, <c>severity</c>, <c>siteId</c>, <c>kioskId</c> and <c>detail</c>, plus what the caller adds. The
/// log says only that an alert of a type was raised: its detail may name a person or quote the screen, and stays in the
/// record, which is sealed at rest.
/// Thread safety: all members may be called concurrently (the outbox serialises commits).
/// </summary>
public sealed partial class Alerts(OutboxStore outbox, AgentIdentity identity, ILogger<Alerts> logger)
{
    /// <summary>Alerts remembered since the agent started, for <c>cmd/alert-disposition</c>; the oldest go first.</summary>
    public const int Remembered = 1024;

    private readonly Lock _recentLock = new();
    private readonly Dictionary<string, string> _recent = new(StringComparer.Ordinal);
    private readonly Queue<string> _recentOrder = new();

    /// <summary>The type of alert <paramref name="recordId"/> when this agent raised it since it started; null otherwise.</summary>
    public string? TypeOf(string recordId)
    {
        lock (_recentLock)
        {
            return _recent.GetValueOrDefault(recordId);
        }
    }

    /// <summary>Builds the body every alert shares; <paramref name="extra"/> adds the caller's fields.</summary>
    public JsonObject Body(string alertType, string severity, string detail, JsonObject? extra = null)
    {
        var body = new JsonObject
        {
            ["alertType"] = alertType,
            ["severity"] = severity,
            ["siteId"] = identity.SiteId,
            ["kioskId"] = identity.KioskId,
            ["detail"] = detail,
        };
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value?.DeepClone();
        }

        return body;
    }

    /// <summary>Commits the alert; throws what the outbox throws (full, damaged).</summary>
    public async Task<CommitReceipt> RaiseAsync(string alertType, string severity, string detail, JsonObject? extra, CancellationToken cancellationToken)
    {
        var receipt = await outbox.CommitAsync(new NewRecord(RecordKind.Alert, Body(alertType, severity, detail, extra)), cancellationToken).ConfigureAwait(false);
        lock (_recentLock)
        {
            _recent[receipt.RecordId] = alertType;
            _recentOrder.Enqueue(receipt.RecordId);
            while (_recentOrder.Count > Remembered)
            {
                _recent.Remove(_recentOrder.Dequeue());
            }
        }

        LogRaised(logger, alertType, severity, receipt.Seq);
        return receipt;
    }

    /// <summary>As <see cref="RaiseAsync"/>, for an alert about a failing outbox, which may fail too: the log line is then all that is left.</summary>
    public async Task TryRaiseAsync(string alertType, string severity, string detail, JsonObject? extra, CancellationToken cancellationToken)
    {
        try
        {
            await RaiseAsync(alertType, severity, detail, extra, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OutboxFullException or SqliteException or IOException)
        {
            LogNotStored(logger, alertType, ex.Message);
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Alert {AlertType} ({Severity}) raised as outbox record seq {Seq}")]
    private static partial void LogRaised(ILogger logger, string alertType, string severity, long seq);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Error, Message = "Alert {AlertType} could not be stored: {Error}")]
    private static partial void LogNotStored(ILogger logger, string alertType, string error);
}
