using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

using Kiosk.Agent.Outbox;

namespace Kiosk.Agent.Sync;

/// <summary>
/// When this kiosk's certificate expires, for the heartbeat (<c>tls</c> in docs/schemas/telemetry.schema.json) and for a
/// warning in the log at start and then once a day while fewer than <see cref="WarningPeriod"/> are left: after that date
/// the broker refuses the kiosk and check-ins stay in the outbox until it is enrolled again (README.md, "Not built yet").
/// The log carries the date and the days left, nothing of the certificate or its key.
/// Not thread-safe: the heartbeat loop is its only caller.
/// </summary>
internal sealed partial class ClientCertificateExpiry(DateTimeOffset notAfter, TimeProvider timeProvider, ILogger logger)
{
    /// <summary>Warn from this long before the end, the margin kioskctl diagnose uses (provisioning/Kiosk.Ctl/Diagnose/BrokerChecks.cs).</summary>
    public static readonly TimeSpan WarningPeriod = TimeSpan.FromDays(30);

    private static readonly TimeSpan RepeatEvery = TimeSpan.FromDays(1);

    private long? _warnedAt;

    public DateTimeOffset NotAfter => notAfter;

    /// <summary>Whole days left, rounded down; negative once the certificate has expired.</summary>
    public int DaysLeft(DateTimeOffset now) => (int)Math.Floor((notAfter - now).TotalDays);

    /// <summary>The heartbeat's <c>tls</c> object.</summary>
    public JsonObject ToJson(DateTimeOffset now) => new()
    {
        ["clientCertificateNotAfter"] = OutboxTime.Format(notAfter),
        ["clientCertificateDaysLeft"] = DaysLeft(now),
    };

    /// <summary>
    /// Logs a warning when fewer than <see cref="WarningPeriod"/> are left and none was logged in the last day (measured on
    /// the monotonic clock, so setting the wall clock back does not silence it). True when it logged.
    /// </summary>
    public bool WarnIfDue()
    {
        var now = timeProvider.GetUtcNow();
        if (notAfter - now >= WarningPeriod || (_warnedAt is { } warnedAt && timeProvider.GetElapsedTime(warnedAt) < RepeatEvery))
        {
            return false;
        }

        _warnedAt = timeProvider.GetTimestamp();
        var date = OutboxTime.Format(notAfter);
        if (now >= notAfter)
        {
            LogExpired(logger, date);
        }
        else
        {
            LogExpiresSoon(logger, date, DaysLeft(now));
        }

        return true;
    }

    [LoggerMessage(EventId = 2201, Level = LogLevel.Warning, Message = "This kiosk's TLS certificate expires at {NotAfter} ({DaysLeft} days left); after that the broker refuses the kiosk: renew it before then (kioskctl init --force, then kioskctl enroll with a new token from the platform operator)")]
    private static partial void LogExpiresSoon(ILogger logger, string notAfter, int daysLeft);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "This kiosk's TLS certificate expired at {NotAfter}; the broker refuses the kiosk and check-ins stay in the outbox: enroll it again (kioskctl init --force, then kioskctl enroll with a new token from the platform operator)")]
    private static partial void LogExpired(ILogger logger, string notAfter);
}
