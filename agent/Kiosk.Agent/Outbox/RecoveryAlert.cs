using System.Text.Json.Nodes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Raises a high-severity alert at start when the outbox was found damaged and salvaged, so a loss of
/// evidence is never silent: the platform gets it first (alerts drain before check-ins) and the log says it too.
/// </summary>
internal sealed partial class RecoveryAlert(OutboxStore outbox, Alerts alerts, ILogger<RecoveryAlert> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (outbox.Recovery is not { } recovery)
        {
            return;
        }

        var facts = new JsonObject
        {
            ["damagedFile"] = recovery.DamagedFile,
            ["problem"] = recovery.Problem,
            ["recordsSaved"] = recovery.RecordsSaved,
            ["recordsLost"] = recovery.RecordsLost,
            ["attachmentsLost"] = recovery.AttachmentsLost,
            ["lostCountKnown"] = recovery.LostCountKnown,
            ["lostSeqs"] = recovery.LostSeqs,
            ["highestSeq"] = recovery.HighestSeq,
        };
        await alerts.RaiseAsync("outboxSalvaged", "high", $"the outbox was damaged ({recovery.Problem}) and salvaged into a fresh file; the damaged file is kept", facts, cancellationToken).ConfigureAwait(false);
        LogSalvaged(logger, recovery.DamagedFile, recovery.Problem, recovery.RecordsSaved, recovery.LostCountKnown ? recovery.RecordsLost.ToString(System.Globalization.CultureInfo.InvariantCulture) : "an unknown number of", recovery.AttachmentsLost);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5101, Level = LogLevel.Error, Message = "The outbox was damaged ({Problem}) and was salvaged into a fresh file: {RecordsSaved} records saved, {RecordsLost} records and {AttachmentsLost} attachments lost; the damaged file is kept at {DamagedFile}")]
    private static partial void LogSalvaged(ILogger logger, string damagedFile, string problem, int recordsSaved, string recordsLost, int attachmentsLost);
}
