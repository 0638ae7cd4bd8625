using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Kiosk.Agent.Configuration.Editing;

/// <summary>One <c>config set KEY VALUE</c> applied to a copy of the document: where it goes, what it replaces, and its JSON type.</summary>
public static partial class KioskConfigEdit
{
    /// <summary>Splits <c>Kiosk:Sync:BrokerPort</c> into its sections.</summary>
    /// <exception cref="KioskConfigKeyException">An empty section (<c>Kiosk::Port</c>, a trailing colon).</exception>
    public static string[] Split(string key)
    {
        var segments = key.Split(':');
        if (segments.Any(s => s.Trim().Length == 0))
        {
            throw new KioskConfigKeyException($"'{key}' is not a configuration key: write the sections joined by ':' (e.g. Kiosk:Sync:BrokerPort).");
        }

        return segments;
    }

    /// <summary>
    /// Sets <paramref name="segments"/> to <paramref name="value"/> in <paramref name="root"/>, creating the sections
    /// on the way. An existing property keeps its spelling; a new one takes <paramref name="spelling"/> (the agent's).
    /// Returns the key as written and the value it replaced (null when there was none).
    /// </summary>
    /// <exception cref="KioskConfigKeyException">The key runs into a value or a list in a way JSON cannot hold, or names a whole section.</exception>
    public static (string Key, JsonNode? Old) Apply(JsonObject root, string[] segments, string[]? spelling, JsonNode value)
    {
        JsonNode current = root;
        var written = new List<string>();
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            var path = string.Join(':', written);
            switch (current)
            {
                case JsonObject obj:
                {
                    var name = obj.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, segments[i], StringComparison.OrdinalIgnoreCase))
                        ?? spelling?[i]
                        ?? segments[i];
                    written.Add(name);
                    if (last)
                    {
                        var old = obj[name];
                        RefuseSection(old, string.Join(':', written));
                        obj[name] = value;
                        return (string.Join(':', written), old);
                    }

                    current = Descend(obj[name], segments[i + 1], string.Join(':', written), child => obj[name] = child);
                    break;
                }

                case JsonArray array:
                {
                    if (!int.TryParse(segments[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
                    {
                        throw new KioskConfigKeyException($"{path} is a list in the file: address its items by number, {path}:0 to {path}:{array.Count - 1}.");
                    }

                    if (index > array.Count)
                    {
                        throw new KioskConfigKeyException($"{path} has {array.Count} items: the next one to add is {path}:{array.Count}.");
                    }

                    written.Add(segments[i]);
                    if (last)
                    {
                        var old = index < array.Count ? array[index] : null;
                        RefuseSection(old, string.Join(':', written));
                        if (index == array.Count)
                        {
                            array.Add(value);
                        }
                        else
                        {
                            array[index] = value;
                        }

                        return (string.Join(':', written), old);
                    }

                    current = Descend(index < array.Count ? array[index] : null, segments[i + 1], string.Join(':', written), child =>
                    {
                        if (index == array.Count)
                        {
                            array.Add(child);
                        }
                        else
                        {
                            array[index] = child;
                        }
                    });
                    break;
                }
            }
        }

        throw new InvalidOperationException("unreachable: the last segment returns");
    }

    /// <summary>
    /// The value to write: a JSON number or boolean when the value it replaces, or the option it binds to, is one
    /// (and the text reads as one), a string otherwise. A string the agent cannot convert is refused by validation.
    /// </summary>
    public static JsonNode Typed(string raw, JsonNode? old, Type? target)
    {
        var oldKind = old is JsonValue v ? v.GetValueKind() : JsonValueKind.Undefined;
        var wantsNumber = oldKind == JsonValueKind.Number || (target is not null && IsNumeric(target));
        var wantsBool = oldKind is JsonValueKind.True or JsonValueKind.False || target == typeof(bool);
        if (wantsNumber && JsonNumber().IsMatch(raw))
        {
            return JsonNode.Parse(raw)!;
        }

        if (wantsBool && bool.TryParse(raw, out var flag))
        {
            return JsonValue.Create(flag);
        }

        return JsonValue.Create(raw);
    }

    private static bool IsNumeric(Type type) =>
        type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(sbyte)
        || type == typeof(uint) || type == typeof(ulong) || type == typeof(ushort) || type == typeof(byte)
        || type == typeof(double) || type == typeof(float) || type == typeof(decimal);

    private static JsonNode Descend(JsonNode? child, string next, string path, Action<JsonNode> attach)
    {
        switch (child)
        {
            case JsonObject or JsonArray:
                return child;
            case null:
                // A missing section is made; a list when its first item is addressed, as the README's examples write lists.
                JsonNode made = next == "0" ? new JsonArray() : new JsonObject();
                attach(made);
                return made;
            default:
                throw new KioskConfigKeyException($"{path} is a value ({KioskConfigDocument.Display(child)}), not a section: it cannot hold {path}:{next}.");
        }
    }

    private static void RefuseSection(JsonNode? old, string key)
    {
        if (old is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
        {
            var first = KioskConfigDocument.Flatten(old).First().Key;
            throw new KioskConfigKeyException($"{key} is a section with keys below it: set one of them, e.g. {key}{(first.StartsWith(':') ? "" : ":")}{first}.");
        }
    }

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}

/// <summary>The key given to <c>config set</c> (or <c>cmd/config</c>) cannot be written; the message says why and what to write instead.</summary>
public sealed class KioskConfigKeyException : Exception
{
    public KioskConfigKeyException(string message)
        : base(message)
    {
    }

    public KioskConfigKeyException()
    {
    }

    public KioskConfigKeyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
