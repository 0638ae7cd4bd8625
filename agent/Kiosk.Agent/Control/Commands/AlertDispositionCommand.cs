using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/alert-disposition</c>: staff acknowledged or resolved an alert this kiosk raised. The kiosk's record of it is
/// the command's result record (kind <c>commandResult</c>, never evicted, kept until the platform confirms it), linked by
/// <c>alertRecordId</c> and saying what the kiosk knew of the alert and whether the person at the screen was told. The
/// staff member's name and note are not echoed back (the platform has them) and never logged. A call-staff alert of the
/// session under way, acknowledged, shows "工作人员正在赶来 / Staff are on their way" on the screen until the session
/// ends (resolved: the notice goes). An alert the kiosk does not know (raised before its last start, or not by it) is
/// still recorded: <c>done</c>, with <c>"alertKnown": false</c>.
/// </summary>
internal sealed partial class AlertDispositionCommand(Alerts alerts, CheckInSession session, ILogger<AlertDispositionCommand> logger) : ICommandHandler
{
    public string Name => "alert-disposition";

    public Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (!AlertDispositionBody.TryParse(Encoding.UTF8.GetBytes(request.Body.GetRawText()), out var body, out var error))
        {
            return Task.FromResult(CommandResult.Refused(error));
        }

        var disposition = body.Disposition == AlertDisposition.Resolved ? "resolved" : "acknowledged";
        var alertType = alerts.TypeOf(body.AlertRecordId);
        var shown = alertType == "callStaff" && session.NoteStaffDisposition(body.AlertRecordId, body.Disposition == AlertDisposition.Resolved);
        LogDisposition(logger, body.AlertRecordId, disposition, alertType ?? "unknown", shown);
        var detail = new JsonObject
        {
            ["alertRecordId"] = body.AlertRecordId,
            ["disposition"] = disposition,
            ["alertKnown"] = alertType is not null,
            ["alertType"] = alertType,
            ["shownOnScreen"] = shown,
        };
        var message = alertType is null
            ? $"{disposition} recorded; this kiosk does not know alert {body.AlertRecordId} (raised before its last start, or not by this kiosk)"
            : shown
                ? $"{disposition} recorded; the person at the screen is told"
                : $"{disposition} recorded";
        return Task.FromResult(CommandResult.Done(message, detail));
    }

    [LoggerMessage(EventId = 2330, Level = LogLevel.Information, Message = "Alert {AlertRecordId} {Disposition} by staff (alert type {AlertType}; shown on screen: {Shown})")]
    private static partial void LogDisposition(ILogger logger, string alertRecordId, string disposition, string alertType, bool shown);
}
