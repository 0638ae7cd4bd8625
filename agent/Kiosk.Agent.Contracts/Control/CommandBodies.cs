using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Kiosk.Agent.Configuration.Editing;

namespace Kiosk.Agent.Control;

/// <summary>
/// What the body of a signed platform command must hold, read without trusting it: every <c>TryParse</c> here never
/// throws, whatever the bytes (fuzz/ targets call them), and says what is wrong in words the platform's operator can act
/// on. The shapes are docs/schemas/cmd-*.schema.json.
/// </summary>
internal static class CommandBodyReader
{
    /// <summary>The largest command body read (the dispatcher bounds the signed message already).</summary>
    public const int MaxBytes = 64 * 1024;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 8 };

    /// <summary>Parses <paramref name="utf8"/> as one JSON object with a valid <c>commandId</c>; the caller disposes the document.</summary>
    public static bool TryOpen(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(true)] out string? commandId, [NotNullWhen(false)] out string? error)
    {
        document = null;
        commandId = null;
        if (utf8.Length > MaxBytes)
        {
            error = $"the command body is larger than {MaxBytes} bytes";
            return false;
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            error = "the command body is not UTF-8 text";
            return false;
        }

        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), Options);
        }
        catch (JsonException)
        {
            error = "the command body is not valid JSON";
            return false;
        }

        var root = document.RootElement;
        if (!WholeText(root))
        {
            document.Dispose();
            document = null;
            error = "the command body holds a \\u escape that is not a whole character";
            return false;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            document = null;
            error = "the command body must be a JSON object";
            return false;
        }

        if (!root.TryGetProperty("commandId", out var id) || id.ValueKind != JsonValueKind.String || !TryGetText(id, out var text)
            || text is not { Length: > 0 and <= 64 } || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            document.Dispose();
            document = null;
            error = "'commandId' must be 1..64 of A-Z a-z 0-9 - _";
            return false;
        }

        commandId = text;
        error = null;
        return true;
    }

    /// <summary>Whether every string and property name reads as text (a \u escape of half a surrogate pair does not).</summary>
    private static bool WholeText(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!WholeText(property.Value))
                        {
                            return false;
                        }
                    }

                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(WholeText);
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The first property of <paramref name="body"/> not in <paramref name="known"/>, or null.</summary>
    public static string? UnknownProperty(JsonElement body, params string[] known)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                return $"'{Clip(property.Name)}' is not a field of this command; it takes {string.Join(", ", known.Select(k => $"'{k}'"))}";
            }

            if (!seen.Add(property.Name))
            {
                return $"'{property.Name}' is given twice";
            }
        }

        return null;
    }

    /// <summary>A JSON string's text; false for a string that is not whole characters (half a surrogate pair).</summary>
    public static bool TryGetText(JsonElement element, [NotNullWhen(true)] out string? text)
    {
        try
        {
            text = element.GetString();
            return text is not null;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    /// <summary>An optional string field: absent or null is null; otherwise text of at most <paramref name="max"/> characters, no control characters.</summary>
    public static bool TryOptionalText(JsonElement body, string name, int max, out string? text, [NotNullWhen(false)] out string? error)
    {
        text = null;
        error = null;
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.String || !TryGetText(value, out var raw) || raw.Length > max || raw.Any(char.IsControl))
        {
            error = $"'{name}' must be text of at most {max} characters without control characters";
            return false;
        }

        text = raw.Trim() is { Length: > 0 } trimmed ? trimmed : null;
        return true;
    }

    /// <summary>A name from outside the kiosk, shortened for a message.</summary>
    public static string Clip(string text) => text.Length <= 64 ? text : text[..64] + "…";
}

/// <summary>
/// <c>cmd/config</c>: <c>{"commandId", "set": {"Kiosk:Sync:MaxMessagesPerSecond": "50"}, "remove": ["Kiosk:Sync:KeepAlive"]}</c>.
/// Values are text (as <c>kioskctl config set</c> takes them); a JSON number or boolean is taken as its text.
/// </summary>
public sealed record ConfigCommandBody(string CommandId, IReadOnlyList<KioskConfigEditRequest> Edits)
{
    /// <summary>Keys changed by one command at most.</summary>
    public const int MaxKeys = 32;

    public const int MaxKeyLength = 256;

    public const int MaxValueLength = 4096;

    /// <summary>Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out ConfigCommandBody? body, [NotNullWhen(false)] out string? error)
    {
        body = null;
        if (!CommandBodyReader.TryOpen(utf8, out var document, out var commandId, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (CommandBodyReader.UnknownProperty(root, "commandId", "set", "remove") is { } unknown)
            {
                error = unknown;
                return false;
            }

            var edits = new List<KioskConfigEditRequest>();
            var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("set", out var set))
            {
                if (set.ValueKind != JsonValueKind.Object)
                {
                    error = "'set' must be an object of key: value, e.g. {\"Kiosk:Sync:MaxMessagesPerSecond\": \"50\"}";
                    return false;
                }

                foreach (var property in set.EnumerateObject())
                {
                    if (!TryKey(property.Name, keys, out error))
                    {
                        return false;
                    }

                    string? text = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => CommandBodyReader.TryGetText(property.Value, out var s) ? s : null,
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        _ => null,
                    };
                    if (text is null || text.Length > MaxValueLength)
                    {
                        error = $"the value of '{CommandBodyReader.Clip(property.Name)}' must be text (or a number, true, false) of at most {MaxValueLength} characters; to remove a key use \"remove\"";
                        return false;
                    }

                    edits.Add(new KioskConfigEditRequest(property.Name, text));
                }
            }

            if (root.TryGetProperty("remove", out var remove))
            {
                if (remove.ValueKind != JsonValueKind.Array)
                {
                    error = "'remove' must be an array of keys, e.g. [\"Kiosk:Sync:KeepAlive\"]";
                    return false;
                }

                foreach (var item in remove.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String || !CommandBodyReader.TryGetText(item, out var key))
                    {
                        error = "'remove' must hold keys as text";
                        return false;
                    }

                    if (!TryKey(key, keys, out error))
                    {
                        return false;
                    }

                    edits.Add(new KioskConfigEditRequest(key, null));
                }
            }

            if (edits.Count == 0)
            {
                error = "nothing to change: give 'set' (key: value) or 'remove' (keys)";
                return false;
            }

            if (edits.Count > MaxKeys)
            {
                error = $"{edits.Count} keys in one command; at most {MaxKeys}";
                return false;
            }

            body = new ConfigCommandBody(commandId, edits);
            error = null;
            return true;
        }
    }

    private static bool TryKey(string key, HashSet<string> keys, [NotNullWhen(false)] out string? error)
    {
        if (key.Length is 0 or > MaxKeyLength || key.Any(char.IsControl))
        {
            error = $"'{CommandBodyReader.Clip(key)}' is not a configuration key: 1..{MaxKeyLength} characters, sections joined by ':' (e.g. Kiosk:Sync:BrokerPort)";
            return false;
        }

        if (!keys.Add(key))
        {
            error = $"'{CommandBodyReader.Clip(key)}' is given twice (keys are not case-sensitive)";
            return false;
        }

        error = null;
        return true;
    }
}

/// <summary><c>cmd/logs</c>: <c>{"commandId", "hours": 1..72}</c>.</summary>
public sealed record LogsCommandBody(string CommandId, int Hours)
{
    public const int MinHours = 1;
    public const int MaxHours = 72;

    /// <summary>Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out LogsCommandBody? body, [NotNullWhen(false)] out string? error)
    {
        body = null;
        if (!CommandBodyReader.TryOpen(utf8, out var document, out var commandId, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (CommandBodyReader.UnknownProperty(root, "commandId", "hours") is { } unknown)
            {
                error = unknown;
                return false;
            }

            if (!root.TryGetProperty("hours", out var hours) || hours.ValueKind != JsonValueKind.Number || !hours.TryGetInt32(out var value) || value is < MinHours or > MaxHours)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"'hours' must be a whole number of hours, {MinHours}..{MaxHours}");
                return false;
            }

            body = new LogsCommandBody(commandId, value);
            return true;
        }
    }
}

public enum AlertDisposition
{
    /// <summary>Staff have seen the alert and are dealing with it.</summary>
    Acknowledged,

    /// <summary>The alert is dealt with.</summary>
    Resolved,
}

/// <summary>
/// <c>cmd/alert-disposition</c>: <c>{"commandId", "alertRecordId", "disposition": "acknowledged"|"resolved", "by"?, "note"?}</c>:
/// what staff did about an alert this kiosk raised (<c>alertRecordId</c> is the alert record's <c>recordId</c>).
/// </summary>
public sealed record AlertDispositionBody(string CommandId, string AlertRecordId, AlertDisposition Disposition, string? By, string? Note)
{
    public const int MaxBy = 100;
    public const int MaxNote = 500;

    /// <summary>Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out AlertDispositionBody? body, [NotNullWhen(false)] out string? error)
    {
        body = null;
        if (!CommandBodyReader.TryOpen(utf8, out var document, out var commandId, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (CommandBodyReader.UnknownProperty(root, "commandId", "alertRecordId", "disposition", "by", "note") is { } unknown)
            {
                error = unknown;
                return false;
            }

            if (!root.TryGetProperty("alertRecordId", out var id) || id.ValueKind != JsonValueKind.String || !CommandBodyReader.TryGetText(id, out var idText)
                || !Guid.TryParseExact(idText, "D", out var guid))
            {
                error = "'alertRecordId' must be the alert record's recordId (a UUID, 8-4-4-4-12 hex digits)";
                return false;
            }

            AlertDisposition? disposition = root.TryGetProperty("disposition", out var d) && d.ValueKind == JsonValueKind.String
                ? (CommandBodyReader.TryGetText(d, out var dText) ? dText : null) switch
                {
                    "acknowledged" => AlertDisposition.Acknowledged,
                    "resolved" => AlertDisposition.Resolved,
                    _ => null,
                }
                : null;
            if (disposition is null)
            {
                error = "'disposition' must be \"acknowledged\" or \"resolved\"";
                return false;
            }

            if (!CommandBodyReader.TryOptionalText(root, "by", MaxBy, out var by, out error) || !CommandBodyReader.TryOptionalText(root, "note", MaxNote, out var note, out error))
            {
                return false;
            }

            body = new AlertDispositionBody(commandId, guid.ToString("D"), disposition.Value, by, note);
            return true;
        }
    }
}
