using System.ComponentModel.DataAnnotations;

namespace Kiosk.Agent.Configuration;

/// <summary>Configuration section <c>Kiosk:Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>SQLite file of the outbox. Relative paths are under <c>Kiosk:DataFolder</c>.</summary>
    [Required]
    public string DatabaseFile { get; set; } = "outbox.db";

    /// <summary>
    /// The key that seals record bodies and attachments at rest (32 random bytes, created on first start, mode 0600).
    /// Relative paths are under <c>Kiosk:DataFolder</c>. Back it up with the data folder.
    /// </summary>
    [Required]
    public string KeyFile { get; set; } = "outbox.key";

    /// <summary>Disk the outbox may use, in bytes (default 2 GiB).</summary>
    public long BudgetBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Check-ins are refused above this share of the budget (the rest is kept for alerts); expired and low-priority rows are evicted first.</summary>
    public int HighWaterPercent { get; set; } = 90;

    /// <summary>A warning alert and a telemetry flag from this share of the budget on.</summary>
    public int WarningPercent { get; set; } = 80;

    /// <summary>Heartbeats queued while the link is down expire after this long.</summary>
    public TimeSpan TelemetryTimeToLive { get; set; } = TimeSpan.FromHours(1);
}
