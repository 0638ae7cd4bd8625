using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Logging;
using Kiosk.Agent.Outbox;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/logs</c>: the last <c>hours</c> (1..72) of the agent's log file (<see cref="RollingFileLog"/>), scrubbed
/// (<see cref="LogRedactor"/>) and bounded to <see cref="MaxBytes"/> (the newest lines kept), as the attachment
/// <c>agent-log</c> (text/plain) of the result record, so it travels through the outbox like a check-in's photos.
/// </summary>
internal sealed class LogsCommand(RollingFileLog log, TimeProvider time) : ICommandHandler
{
    /// <summary>The largest log sent.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    public const string AttachmentId = "agent-log";

    public string Name => "logs";

    public Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (!LogsCommandBody.TryParse(Encoding.UTF8.GetBytes(request.Body.GetRawText()), out var body, out var error))
        {
            return Task.FromResult(CommandResult.Refused(error));
        }

        if (!log.Enabled)
        {
            return Task.FromResult(CommandResult.Refused("this kiosk keeps no log file (Kiosk:LogFile:Enabled is false)"));
        }

        var to = time.GetUtcNow();
        var from = to - TimeSpan.FromHours(body.Hours);
        var (content, lines, truncated) = log.ReadSince(from, MaxBytes);
        var detail = new JsonObject
        {
            ["hours"] = body.Hours,
            ["from"] = OutboxTime.Format(from),
            ["to"] = OutboxTime.Format(to),
            ["lines"] = lines,
            ["bytes"] = content.Length,
            ["truncated"] = truncated,
            ["attachmentId"] = content.Length == 0 ? null : AttachmentId,
        };
        var message = truncated
            ? $"{lines} lines of the last {body.Hours} h (the oldest left out: at most {MaxBytes} bytes)"
            : $"{lines} lines of the last {body.Hours} h";
        return Task.FromResult(CommandResult.Done(message, detail) with
        {
            Attachments = content.Length == 0 ? [] : [NewAttachment.FromBytes(AttachmentId, "text/plain; charset=utf-8", content, biometric: false)],
        });
    }
}
