using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kiosk.Agent.Outbox;
using Kiosk.Ctl.Files;
using Kiosk.Ctl.Status;
using Microsoft.Data.Sqlite;
using Spectre.Console;

namespace Kiosk.Ctl.Queue;

/// <summary>
/// <c>kioskctl queue export --to DIR</c>: every record waiting in the outbox as one JSON line of <c>DIR/records.jsonl</c>
/// (metadata and body) and its attachments as files under <c>DIR/attachments/&lt;recordId&gt;/</c>, read from one
/// consistent snapshot of the outbox, read-only. Biometric attachments are sealed at rest (AES-256-GCM, the outbox key):
/// they are exported exactly as stored, as <c>.sealed</c> files, never decrypted. Each file is checked against its
/// SHA-256 (plaintext, or as stored for sealed ones); a mismatch is exit 1. The folder and files are readable by
/// the owner only: the records hold personal data. Record ids become folder names, so an id that is not a UUID (the
/// agent writes nothing else; <c>../../etc</c> means someone changed the outbox) refuses the whole export, and every
/// folder and file is made relative to the export folder held open, never through a link (Files/FolderHandle.cs).
/// </summary>
internal static partial class QueueExport
{
    public const string RecordsFile = "records.jsonl";

    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const string SealingNote =
        "AES-256-GCM in 64 KiB segments, each nonce(12)|ciphertext|tag(16), associated data 'kiosk-outbox/attachment/{rowId}' and the segment index; "
        + "only this kiosk's outbox key (Kiosk:Outbox:KeyFile) opens it";

    public static Command Create()
    {
        var config = AgentLocation.ConfigOption();
        var data = AgentLocation.DataOption();
        var to = new Option<DirectoryInfo>("--to") { Description = "Folder to write records.jsonl and attachments/ to (created; must not hold an export already).", Required = true };
        var json = new Option<bool>("--json") { Description = "Plain progress lines on stderr and one JSON summary on stdout, instead of a progress bar." };
        var command = new Command("export", "Write every waiting record (records.jsonl) and its attachments to a folder, read-only; sealed bodies and attachments stay sealed.") { config, data, to, json };
        command.SetAction(result =>
        {
            try
            {
                var location = AgentLocation.Resolve(result.GetValue(config), result.GetValue(data));
                return Run(location, result.GetValue(to)!.FullName, result.GetValue(json));
            }
            catch (AgentLocationException ex)
            {
                return Output.Error(ex.Message, ex.ExitCode);
            }
        });
        return command;
    }

    private static int Run(AgentLocation location, string target, bool json)
    {
        if (File.Exists(target))
        {
            return Output.Error($"--to {target} is a file: give a folder", ExitCodes.Usage);
        }

        if (File.Exists(Path.Combine(target, RecordsFile)))
        {
            return Output.Error($"{target} already holds an export ({RecordsFile}): give a new or empty folder", ExitCodes.Usage);
        }

        using var connection = QueueCommand.OpenOutbox(location);
        using var snapshot = OutboxQueueReader.ReadSnapshot(connection);
        var (records, unreadable) = OutboxQueueReader.ReadPending(connection, TimeProvider.System.GetUtcNow(), limit: null, includeBody: true);
        if (RecordIdProblem(records, location.DatabasePath) is { } problem)
        {
            return Output.Error(problem, ExitCodes.CheckFailed);
        }

        var summary = new ExportSummary(target);
        summary.Mismatches.AddRange(unreadable.Select(u => $"seq {u.Seq} was not exported: it cannot be read ({u.Problem})"));
        try
        {
            using var folder = FolderHandle.Open(TrustedPath.Resolve(target), PrivateFolder);
            using var attachments = records.Any(r => r.Attachments.Count > 0) ? folder.Folder("attachments", PrivateFolder) : null;
            using var lines = new FileStream(folder.CreateFile(RecordsFile, PrivateFile), FileAccess.Write);
            if (!json && AnsiConsole.Profile.Capabilities.Interactive)
            {
                AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                    .Start(progress =>
                    {
                        var task = progress.AddTask($"exporting {records.Count} records", maxValue: Math.Max(1, records.Sum(r => r.Bytes)));
                        foreach (var record in records)
                        {
                            Export(connection, record, lines, attachments, summary);
                            task.Increment(record.Bytes);
                        }
                    });
            }
            else
            {
                var number = 0;
                foreach (var record in records)
                {
                    Export(connection, record, lines, attachments, summary);
                    Console.Error.WriteLine($"exported {++number}/{records.Count}: seq {record.Seq} {record.RecordId} {record.Kind}, {record.Attachments.Count} attachments");
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Output.Error($"cannot write the export to {target}: {ex.Message}", ExitCodes.IoError);
        }
        catch (SqliteException ex)
        {
            return Output.Error($"cannot read the outbox {location.DatabasePath} while exporting: {ex.Message} ('kioskctl diagnose --data' checks its integrity)", ExitCodes.IoError);
        }

        Report(summary, json);
        return summary.Mismatches.Count == 0 ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    /// <summary>Why the export must not run: a record id that is not a UUID (it would name a folder), or null.</summary>
    private static string? RecordIdProblem(IReadOnlyList<OutboxRecord> records, string database)
    {
        var hostile = records.Where(r => !Guid.TryParseExact(r.RecordId, "D", out _)).ToList();
        if (hostile.Count == 0)
        {
            return null;
        }

        // Quoted and escaped: the id is data from a file someone changed, not text for the terminal.
        var first = hostile[0];
        var shown = JsonSerializer.Serialize(first.RecordId.Length > 80 ? first.RecordId[..80] + "..." : first.RecordId);
        return $"{hostile.Count} record(s) in {database} have an id that is not a UUID (seq {first.Seq}: {shown}): the agent writes only UUIDs, so something else changed the outbox, "
            + "and such an id could name a path outside --to. Nothing was exported and the outbox is unchanged: keep it as it is for whoever investigates ('kioskctl diagnose --data' checks its integrity)";
    }

    private static void Export(SqliteConnection connection, OutboxRecord record, Stream lines, FolderHandle? attachmentsFolder, ExportSummary summary)
    {
        FolderHandle? folder = null;
        var attachments = new JsonArray();
        try
        {
            foreach (var attachment in record.Attachments)
            {
                folder ??= attachmentsFolder!.Folder(record.RecordId, PrivateFolder);
                attachments.Add(Export(connection, record, attachment, folder, summary));
            }
        }
        finally
        {
            folder?.Dispose();
        }

        var line = new JsonObject
        {
            ["seq"] = record.Seq,
            ["recordId"] = record.RecordId,
            ["kind"] = record.Kind.WireName(),
            ["priority"] = (int)record.Priority,
            ["schemaVersion"] = record.SchemaVersion,
            ["createdAt"] = record.CreatedAt,
            ["monotonicMs"] = record.MonotonicMs,
            ["bootId"] = record.BootId,
            ["bytes"] = record.Bytes,
            ["attempts"] = record.Attempts,
            ["lastSentAt"] = record.LastSentAt,
            ["expiresAt"] = record.ExpiresAt,
            // A sealed body stays sealed, like a sealed attachment: it opens only with this kiosk's outbox key.
            ["body"] = record.Body is { Sealed: false } plain ? JsonNode.Parse(plain.Stored.Span) : null,
            ["bodySealed"] = record.Body is { Sealed: true } sealedBody ? Convert.ToBase64String(sealedBody.Stored.Span) : null,
            ["quarantine"] = record.Quarantine,
            ["attachments"] = attachments,
        };
        using (var writer = new Utf8JsonWriter(lines))
        {
            line.WriteTo(writer);
        }

        lines.WriteByte((byte)'\n');
        summary.Records++;
        summary.Bytes += record.Body?.Stored.Length ?? 0;
    }

    /// <summary>One attachment to a file in its record's folder; its entry in records.jsonl.</summary>
    private static JsonObject Export(SqliteConnection connection, OutboxRecord record, OutboxAttachment attachment, FolderHandle folder, ExportSummary summary)
    {
        var name = SafeName(attachment.AttachmentId) + (attachment.Sealed ? ".sealed" : Extension(attachment.ContentType));
        if (folder.Exists(name))
        {
            name = $"{attachment.RowId}-{name}";
        }

        var relative = $"attachments/{record.RecordId}/{name}";
        var sha256 = Copy(connection, attachment, folder, name);
        var expected = attachment.Sealed ? attachment.StoredSha256 : attachment.Sha256;
        if (expected is not null && !string.Equals(expected, sha256, StringComparison.OrdinalIgnoreCase))
        {
            summary.Mismatches.Add($"{relative} has SHA-256 {sha256}, the outbox recorded {expected}");
        }

        var entry = new JsonObject
        {
            ["attachmentId"] = attachment.AttachmentId,
            ["contentType"] = attachment.ContentType,
            ["length"] = attachment.Length,
            ["sha256"] = attachment.Sha256,
            ["biometric"] = attachment.Biometric,
            ["sealed"] = attachment.Sealed,
            ["file"] = relative,
            ["fileBytes"] = attachment.StoredLength,
            ["fileSha256"] = sha256,
        };
        if (attachment.Sealed)
        {
            entry["sealing"] = SealingNote.Replace("{rowId}", attachment.RowId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            summary.Sealed++;
        }

        summary.Attachments++;
        summary.Bytes += attachment.StoredLength;
        return entry;
    }

    /// <summary>Copies the attachment as stored (sealed stays sealed) and returns the SHA-256 of what was written.</summary>
    private static string Copy(SqliteConnection connection, OutboxAttachment attachment, FolderHandle folder, string name)
    {
        using var source = OutboxQueueReader.OpenStoredAttachment(connection, attachment);
        using var destination = new FileStream(folder.CreateFile(name, PrivateFile), FileAccess.Write);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            destination.Write(buffer, 0, read);
        }

        destination.Flush(flushToDisk: true);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Report(ExportSummary summary, bool json)
    {
        const string Care = "records.jsonl holds personal data (names, ID numbers): keep the folder as safe as the kiosk itself";
        var sealedNote = summary.Sealed == 0
            ? null
            : $"{summary.Sealed} attachments are exported sealed (*.sealed: AES-256-GCM with this kiosk's outbox key, Kiosk:Outbox:KeyFile); they were not decrypted";
        if (json)
        {
            JsonOut.Print(new
            {
                directory = summary.Directory,
                recordsFile = Path.Combine(summary.Directory, RecordsFile),
                records = summary.Records,
                attachments = summary.Attachments,
                sealedAttachments = summary.Sealed,
                bytes = summary.Bytes,
                mismatches = summary.Mismatches,
                notes = new[] { sealedNote, Care }.OfType<string>(),
            });
            return;
        }

        Console.Out.WriteLine($"exported {summary.Records} records and {summary.Attachments} attachments ({Human.Bytes(summary.Bytes)}) to {summary.Directory}");
        if (sealedNote is not null)
        {
            Console.Out.WriteLine(sealedNote);
        }

        Console.Out.WriteLine(Care);
        foreach (var mismatch in summary.Mismatches)
        {
            Console.Error.WriteLine($"kioskctl: {mismatch}: the outbox may be damaged ('kioskctl diagnose --data' checks it)");
        }
    }

    private static string SafeName(string attachmentId)
    {
        var name = UnsafeCharacters().Replace(attachmentId, "_");
        return name.Length == 0 || name[0] == '.' ? "_" + name : name;
    }

    private static string Extension(string contentType) => contentType.Split(';')[0].Trim().ToUpperInvariant() switch
    {
        "IMAGE/JPEG" => ".jpg",
        "IMAGE/PNG" => ".png",
        "IMAGE/TIFF" => ".tiff",
        "AUDIO/WAV" or "AUDIO/X-WAV" or "AUDIO/WAVE" => ".wav",
        "APPLICATION/JSON" => ".json",
        "APPLICATION/PDF" => ".pdf",
        "TEXT/PLAIN" => ".txt",
        _ => ".bin",
    };

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeCharacters();
}
