using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Raises a <c>storageWarning</c> alert when the outbox passes its warning mark (80 % by default), so office
/// staff hear about a long outage before check-ins are refused; and <c>storageRecovered</c> when it drops back.
/// </summary>
internal sealed partial class StorageAlerts(OutboxStore outbox, Alerts alerts, ILogger<StorageAlerts> logger) : BackgroundService
{
    private readonly Channel<OutboxUsage> _changes = Channel.CreateUnbounded<OutboxUsage>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The store raises the event after releasing its lock; committing from here is safe, but not inline.
        outbox.WarningChanged += OnWarningChanged;
        try
        {
            if (outbox.Usage.AboveWarning)
            {
                _changes.Writer.TryWrite(outbox.Usage);
            }

            await foreach (var usage in _changes.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                var alertType = usage.AboveWarning ? "storageWarning" : "storageRecovered";
                LogUsage(logger, alertType, usage.UsedPercent, usage.UsedBytes, usage.BudgetBytes);
                await alerts.TryRaiseAsync(
                    alertType,
                    usage.AboveWarning ? "medium" : "info",
                    usage.AboveWarning
                        ? "the outbox passed its warning mark: the link to the platform may be down; check-ins are refused at the high-water mark"
                        : "the outbox is back below its warning mark",
                    new JsonObject { ["usedBytes"] = usage.UsedBytes, ["budgetBytes"] = usage.BudgetBytes, ["usedPercent"] = usage.UsedPercent },
                    stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            outbox.WarningChanged -= OnWarningChanged;
        }
    }

    private void OnWarningChanged(object? sender, OutboxUsage usage) => _changes.Writer.TryWrite(usage);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "Outbox {AlertType}: {Percent} % used ({Used} of {Budget} bytes)")]
    private static partial void LogUsage(ILogger logger, string alertType, double percent, long used, long budget);
}
