using System.Text.Json;
using System.Text.RegularExpressions;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// Strict readers shared by the document commands (roster, policy): each check names the field by its JSON path
/// (<c>people[3].idNumberHash</c>) and never echoes its value, which may be personal data.
/// </summary>
internal static partial class CommandJson
{
    /// <summary>Largest integer a JSON number carries exactly everywhere (2^53 - 1).</summary>
    public const long MaxSafeInteger = 9_007_199_254_740_991;

    /// <summary>Parses <paramref name="utf8"/> as one JSON value (depth 32), or null with the reason.</summary>
    public static JsonDocument? Parse(ReadOnlySpan<byte> utf8, out string error)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 32 });
            var document = JsonDocument.ParseValue(ref reader);
            if (reader.Read())
            {
                document.Dispose();
                error = "the body holds more than one JSON value";
                return null;
            }

            error = "";
            return document;
        }
        catch (JsonException)
        {
            error = "the body is not JSON";
            return null;
        }
    }

    /// <summary>Null when <paramref name="element"/> is an object whose property names are all in <paramref name="known"/>; otherwise the refusal.</summary>
    public static string? OnlyKnown(JsonElement element, string path, params string[] known)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return $"{Where(path)}must be an object";
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                return $"{Where(path)}'{Shorten(property.Name)}' is not a known field (known: {string.Join(", ", known)})";
            }

            if (!seen.Add(property.Name))
            {
                return $"{Where(path)}'{property.Name}' appears twice";
            }
        }

        return null;
    }

    public static bool TryWholeNumber(JsonElement element, long min, long max, out long value)
    {
        value = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out value) && value >= min && value <= max;
    }

    public static string? String(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString() : null;

    /// <summary>
    /// Null when every string and property name in <paramref name="body"/> reads as text; otherwise the refusal, naming
    /// where. System.Text.Json checks a string only when it is read: bytes that are not UTF-8, or a \u escape of half a
    /// surrogate pair, parse and then throw <see cref="InvalidOperationException"/> from the first read (fuzz/ targets
    /// cmd-roster, cmd-policy), so the document commands check this before reading any field.
    /// </summary>
    public static string? BrokenText(JsonElement body) => BrokenTextAt(body) is { } where
        ? $"{(where.Length == 0 ? "the body" : where.TrimStart('.'))}: holds text that is not UTF-8 (or a \\u escape of half a surrogate pair)"
        : null;

    /// <summary>Where below <paramref name="element"/> the first broken text is ("" for the element itself or one of its names), or null.</summary>
    private static string? BrokenTextAt(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return CommandBodyReader.TryGetText(element, out _) ? null : "";
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (BrokenTextAt(item) is { } inner)
                    {
                        return $"[{index}]{inner}";
                    }

                    index++;
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return "";
                    }

                    if (BrokenTextAt(property.Value) is { } inner)
                    {
                        return $".{Shorten(name)}{inner}";
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Decodes standard base64 (RFC 4648 §4, padded) of at most <paramref name="maxBytes"/> decoded bytes; null when it is not.</summary>
    public static byte[]? Base64(JsonElement element, int maxBytes, out string problem)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            problem = "must be a base64 string";
            return null;
        }

        var text = element.GetString()!;
        if (text.Length == 0)
        {
            problem = "must not be empty (leave the field out instead)";
            return null;
        }

        if ((long)text.Length / 4 * 3 > maxBytes + 2L)
        {
            problem = $"is larger than {maxBytes} bytes";
            return null;
        }

        var buffer = new byte[Base64Decoded(text.Length)];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || text.Length % 4 != 0 || text.AsSpan().ContainsAny(" \t\r\n"))
        {
            problem = "is not standard base64";
            return null;
        }

        if (written > maxBytes)
        {
            problem = $"is larger than {maxBytes} bytes";
            return null;
        }

        problem = "";
        return written == buffer.Length ? buffer : buffer[..written];
    }

    public static bool IsIdentifier(string? value) => value is not null && IdentifierPattern().IsMatch(value);

    public static bool IsLevel(string? value) => value is not null && LevelPattern().IsMatch(value);

    public static string Where(string path) => path.Length == 0 ? "" : path + ": ";

    public static string Shorten(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private static int Base64Decoded(int length) => length / 4 * 3;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{0,31}$")]
    private static partial Regex LevelPattern();
}
