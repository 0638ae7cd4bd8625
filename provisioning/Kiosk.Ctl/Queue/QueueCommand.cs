using System.CommandLine;
using System.Globalization;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Ctl.Status;
using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace Kiosk.Ctl.Queue;

/// <summary>
/// <c>kioskctl queue list|export|retry</c>. <c>list</c> and <c>export</c> read the outbox file directly and read-only
/// (they work with the agent stopped, and never change the outbox); <c>retry</c> asks the running agent to send every
/// unacknowledged record again now.
/// </summary>
internal static class QueueCommand
{
    private const int DefaultLimit = 100;

    public static Command Create() => new("queue", "Look at what waits in the outbox, export it, or have the agent send it again now.")
    {
        List(),
        QueueExport.Create(),
        Retry(),
    };

    private static Command List()
    {
        var config = AgentLocation.ConfigOption();
        var data = AgentLocation.DataOption();
        var limit = new Option<int>("--limit") { Description = $"Show at most this many records, in sending order (default {DefaultLimit}).", DefaultValueFactory = _ => DefaultLimit };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("list", "List the records waiting in the outbox, in the order the agent sends them (reads the outbox read-only; works with the agent stopped).") { config, data, limit, json };
        command.SetAction(result =>
        {
            var max = result.GetValue(limit);
            if (max < 1)
            {
                return Output.Error($"--limit {max} is not valid: give 1 or more", ExitCodes.Usage);
            }

            try
            {
                var location = AgentLocation.Resolve(result.GetValue(config), result.GetValue(data));
                using var connection = OpenOutbox(location);
                using var snapshot = OutboxQueueReader.ReadSnapshot(connection);
                var now = TimeProvider.System.GetUtcNow();
                var totals = OutboxQueueReader.Totals(connection, now);
                var (records, unreadable) = OutboxQueueReader.ReadPending(connection, now, max, includeBody: false);
                if (result.GetValue(json))
                {
                    JsonOut.Print(new
                    {
                        database = location.DatabasePath,
                        records = totals.Records,
                        bytes = totals.Bytes,
                        oldestCreatedAt = totals.OldestCreatedAt,
                        quarantined = totals.Quarantined,
                        items = records.Select(r => new
                        {
                            r.Seq, r.RecordId, Kind = r.Kind.WireName(), Priority = (int)r.Priority, r.CreatedAt, r.Bytes, r.Attempts, r.LastSentAt, r.ExpiresAt, r.Quarantine,
                            attachments = r.Attachments.Select(a => new { a.AttachmentId, a.ContentType, a.Length, a.Biometric, a.Sealed, a.AckedChunks }),
                        }),
                        unreadable = unreadable.Select(u => new { u.Seq, u.RecordId, u.Problem }),
                    });
                }
                else
                {
                    Print(location, totals, records, unreadable, now);
                }

                return ExitCodes.Ok;
            }
            catch (AgentLocationException ex)
            {
                return Output.Error(ex.Message, ex.ExitCode);
            }
        });
        return command;
    }

    private static void Print(AgentLocation location, OutboxTotals totals, IReadOnlyList<OutboxRecord> records, IReadOnlyList<UnreadableRecord> unreadable, DateTimeOffset now)
    {
        if (totals.Records == 0)
        {
            AnsiConsole.MarkupLine(Markup.Escape($"nothing waits in {location.DatabasePath}"));
            return;
        }

        Human.WidenTablesWhenRedirected();
        var table = new Table().AddColumns("seq", "record id", "kind", "waiting", "size", "attachments", "sent");
        foreach (var record in records)
        {
            var sealedCount = record.Attachments.Count(a => a.Sealed);
            var attachments = record.Attachments.Count == 0 ? "-" : $"{record.Attachments.Count}{(sealedCount > 0 ? $" ({sealedCount} sealed)" : "")}";
            table.AddRow(
                record.Seq.ToString(CultureInfo.InvariantCulture), record.RecordId, Markup.Escape(record.Kind.WireName() + (record.Quarantine is null ? "" : " (quarantined)")),
                Human.Duration(now - record.CreatedAt), Human.Bytes(record.Bytes), attachments,
                record.Attempts == 0 ? "not yet" : $"{record.Attempts}x, last {Human.Time(record.LastSentAt)}");
        }

        AnsiConsole.Write(table);
        var more = totals.Records > records.Count ? $"; the first {records.Count} shown (--limit)" : "";
        AnsiConsole.MarkupLine(Markup.Escape($"{totals.Records} records, {Human.Bytes(totals.Bytes)} waiting in {location.DatabasePath}{more}"));
        foreach (var record in records.Where(r => r.Quarantine is not null))
        {
            AnsiConsole.MarkupLine(Markup.Escape($"seq {record.Seq} is quarantined (kept, not sent): {record.Quarantine}"));
        }

        foreach (var row in unreadable)
        {
            AnsiConsole.MarkupLine(Markup.Escape($"seq {row.Seq} cannot be read: {row.Problem}; the agent quarantines it and sends the rest"));
        }
    }

    /// <summary>Opens the outbox read-only, turning a missing or unreadable file into a message with what to do.</summary>
    internal static SqliteConnection OpenOutbox(AgentLocation location)
    {
        try
        {
            return OutboxQueueReader.OpenReadOnly(location.DatabasePath);
        }
        catch (FileNotFoundException)
        {
            throw new AgentLocationException(
                $"there is no outbox at {location.DatabasePath}: the agent has not run with this data folder; give the agent's configuration with --config (read: {(location.ConfigRead ? location.ConfigPath : "none")}) or its data folder with --data");
        }
        catch (SqliteException ex)
        {
            throw new AgentLocationException($"cannot read the outbox {location.DatabasePath}: {ex.Message} (run kioskctl as the agent's user or with sudo; 'kioskctl diagnose --data' checks its integrity)");
        }
    }

    private static Command Retry() => StatusCommand.AgentApiCommand(
        "retry",
        "Have the running agent send every record it sent but the platform has not acknowledged again now, instead of after Kiosk:Sync:AckTimeout.",
        "Print one JSON object instead of a sentence.",
        async (client, _, json, cancellationToken) =>
        {
            var (_, retry) = await client.PostAsync<RetryReport>("/api/queue/retry", cancellationToken).ConfigureAwait(false);
            if (json)
            {
                JsonOut.Print(retry);
            }
            else
            {
                var when = retry.Connected ? "the agent sends them again now" : "the agent is not connected to the broker: they go out as soon as it is";
                Console.Out.WriteLine(retry.Requeued == 0
                    ? "no record was waiting for an acknowledgement; records not sent yet go out on their own"
                    : $"{retry.Requeued} records re-queued: {when}");
            }

            return ExitCodes.Ok;
        });
}
