using System.ComponentModel.DataAnnotations;

namespace Kiosk.Agent.Outbox;

/// <summary>Configuration section <c>Kiosk:Outbox</c>.</summary>
public sealed class OutboxOptions
{
    /// <summary>SQLite file of the outbox. Relative paths are under <c>Kiosk:DataFolder</c>.</summary>
    [Required]
    public string DatabaseFile { get; set; } = "outbox.db";

    /// <summary>Largest single attachment accepted, in bytes (default 64 MiB).</summary>
    [Range(1, long.MaxValue)]
    public long MaxAttachmentBytes { get; set; } = 64L * 1024 * 1024;
}
