namespace Kiosk.Agent.Outbox;

/// <summary>
/// How much disk the outbox may use. Check-ins fill it up to the high-water mark; the space above is kept
/// for alerts, so a full kiosk can still say that it is full.
/// </summary>
public sealed record OutboxBudget(long BudgetBytes, int HighWaterPercent = 90, int WarningPercent = 80)
{
    public static OutboxBudget Default { get; } = new(2L * 1024 * 1024 * 1024);

    public static OutboxBudget From(Configuration.OutboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.BudgetBytes, options.HighWaterPercent, options.WarningPercent);
    }

    public long HighWaterBytes => BudgetBytes / 100 * HighWaterPercent;

    public long WarningBytes => BudgetBytes / 100 * WarningPercent;

    /// <summary>The most a record of <paramref name="kind"/> may bring the outbox to.</summary>
    public long LimitFor(RecordKind kind) => kind == RecordKind.Alert ? BudgetBytes : HighWaterBytes;
}

/// <summary>Thrown when a record does not fit even after evicting what may be evicted. Nothing was stored.</summary>
public sealed class OutboxFullException : Exception
{
    public OutboxFullException(RecordKind kind, long usedBytes, long recordBytes, long limitBytes)
        : base($"the outbox is full: {usedBytes} bytes used, a {kind} of {recordBytes} bytes would pass its limit of {limitBytes} bytes, and only check-ins and alerts remain; it frees itself as the platform acknowledges the backlog")
    {
        Kind = kind;
        UsedBytes = usedBytes;
    }

    public OutboxFullException()
    {
    }

    public OutboxFullException(string message)
        : base(message)
    {
    }

    public OutboxFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RecordKind Kind { get; }

    public long UsedBytes { get; }
}

/// <summary>How full the outbox is.</summary>
public sealed record OutboxUsage(long UsedBytes, long BudgetBytes, bool AboveWarning)
{
    public double UsedPercent => BudgetBytes == 0 ? 0 : Math.Round(100.0 * UsedBytes / BudgetBytes, 1);
}
