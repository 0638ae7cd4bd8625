using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Agent.Configuration.Editing;

/// <summary>
/// The kiosk's JSON configuration file as kioskctl and the agent's <c>cmd/config</c> read and rewrite it: parsed with the
/// same leniency as the agent's JSON configuration provider (comments, trailing commas) and flattened by that provider,
/// so both see the keys the agent sees. Moved here from kioskctl so the two share one reading and one writing.
/// </summary>
public sealed class KioskConfigDocument
{
    private static readonly JsonDocumentOptions ParseOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly string[] SecretWords = ["Password", "Secret", "Token", "PrivateKey"];

    private KioskConfigDocument(string path, byte[] bytes, JsonObject root, IReadOnlyDictionary<string, string?> settings)
    {
        Path = path;
        Bytes = bytes;
        Root = root;
        Settings = settings;
    }

    /// <summary>Full path of the file.</summary>
    public string Path { get; }

    /// <summary>The file as it is on disk.</summary>
    public byte[] Bytes { get; }

    /// <summary>The parsed document.</summary>
    public JsonObject Root { get; }

    /// <summary>The keys as the agent's configuration sees them (<c>Kiosk:Sync:BrokerPort</c> = <c>8883</c>), case-insensitive.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Whether the file carries comments (the JSON provider allows them; a rewrite does not keep them).</summary>
    public bool HasComments => CountComments(Bytes) > 0;

    /// <summary>Parses <paramref name="bytes"/> as the content of <paramref name="path"/>.</summary>
    /// <exception cref="KioskConfigDocumentException">Not a JSON object; the message gives the line and position.</exception>
    public static KioskConfigDocument Parse(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(bytes);
        if (!System.Text.Unicode.Utf8.IsValid(WithoutBom(bytes).Span))
        {
            // System.Text.Json checks a string's text only when it is read, half way through a command (fuzz/ target "config-file").
            throw new KioskConfigDocumentException($"the configuration {path} is not UTF-8 text. Save it as UTF-8 (the agent reads it as UTF-8 too), or restore it from a backup.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(WithoutBom(bytes).Span, documentOptions: ParseOptions);
        }
        catch (JsonException ex)
        {
            var reason = ex.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            reason = (cut > 0 ? reason[..cut] : reason).TrimEnd('.', ' ');
            var where = ex.LineNumber is { } line ? $" at line {line + 1}, position {(ex.BytePositionInLine ?? 0) + 1}" : "";
            throw new KioskConfigDocumentException($"the configuration {path} is not valid JSON{where}: {reason}. Fix the file there (the agent will not start with it either), or restore it from a backup.");
        }

        if (node is not JsonObject root)
        {
            throw new KioskConfigDocumentException($"the configuration {path} must be one JSON object ({{ \"Kiosk\": {{ ... }} }}), not {node?.GetValueKind().ToString() ?? "null"}.");
        }

        try
        {
            var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(bytes)).Build();
            var settings = configuration.AsEnumerable()
                .Where(pair => pair.Value is not null)
                .ToDictionary(pair => pair.Key, pair => pair.Value, StringComparer.OrdinalIgnoreCase);
            _ = Flatten(root).Count; // every duplicate key is found here rather than half way through a command
            return new KioskConfigDocument(path, bytes, root, settings);
        }
        catch (InvalidOperationException ex)
        {
            // A \u escape of half a surrogate pair in a key or a value: valid UTF-8, but no text (fuzz/ target "config-file").
            throw new KioskConfigDocumentException($"the configuration {path} holds a \\u escape that is not a whole character ({ex.Message}). Fix the text there, or restore it from a backup.");
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException or JsonException)
        {
            throw new KioskConfigDocumentException($"the configuration {path} cannot be read as the agent reads it: {ex.InnerException?.Message ?? ex.Message}. Fix the file (a key given twice?), or restore it from a backup.");
        }
    }

    /// <summary>A document for a file that does not exist yet (<c>kioskctl init</c> on a fresh kiosk).</summary>
    public static KioskConfigDocument Empty(string path) => new(path, [], [], new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase));

    /// <summary>True when the file was there when it was read.</summary>
    public bool Exists => Bytes.Length > 0;

    /// <summary>The value at a key of the document (<c>Kiosk:Sync:BrokerHost</c>, sections matched without regard to case) as text, or null.</summary>
    public string? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        JsonNode? node = Root;
        foreach (var part in key.Split(':'))
        {
            node = node is JsonObject obj ? obj.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase)).Value : null;
        }

        return node is JsonValue value
            ? value.GetValueKind() switch
            {
                JsonValueKind.String => value.GetValue<string>(),
                JsonValueKind.Number => value.GetValue<JsonElement>().GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                _ => null,
            }
            : null;
    }

    public int? GetInt(string key) =>
        Get(key) is { } text && int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Sets a key in the document, creating its sections (an existing one keeps its spelling); null removes it.</summary>
    /// <exception cref="KioskConfigKeyException">The key runs into a value or a list in a way JSON cannot hold.</exception>
    public void Set(string key, JsonNode? value)
    {
        var segments = KioskConfigEdit.Split(key);
        if (value is not null)
        {
            KioskConfigEdit.Apply(Root, segments, null, value);
            return;
        }

        JsonNode? parent = Root;
        foreach (var part in segments[..^1])
        {
            parent = parent is JsonObject obj ? obj.FirstOrDefault(p => string.Equals(p.Key, part, StringComparison.OrdinalIgnoreCase)).Value : null;
        }

        if (parent is JsonObject section && section.FirstOrDefault(p => string.Equals(p.Key, segments[^1], StringComparison.OrdinalIgnoreCase)).Key is { } name)
        {
            section.Remove(name);
        }
    }

    /// <summary>Whether a key's value is a secret that kioskctl and the agent never print.</summary>
    public static bool IsSecret(string key) => SecretWords.Any(word => key.Contains(word, StringComparison.OrdinalIgnoreCase));

    public const string Redacted = "<redacted>";

    /// <summary>Every leaf of the document in file order, keyed like the configuration (<c>Kiosk:Sync:BrokerPort</c>).</summary>
    public static List<(string Key, JsonNode? Value)> Flatten(JsonNode root)
    {
        var leaves = new List<(string, JsonNode?)>();
        Walk(root, "", leaves);
        return leaves;

        static void Walk(JsonNode? node, string prefix, List<(string, JsonNode?)> leaves)
        {
            switch (node)
            {
                case JsonObject obj when obj.Count > 0:
                    foreach (var (name, child) in obj)
                    {
                        Walk(child, prefix.Length == 0 ? name : $"{prefix}:{name}", leaves);
                    }

                    break;
                case JsonArray array when array.Count > 0:
                    for (var i = 0; i < array.Count; i++)
                    {
                        Walk(array[i], $"{prefix}:{i}", leaves);
                    }

                    break;
                default:
                    leaves.Add((prefix, node));
                    break;
            }
        }
    }

    /// <summary>A leaf as a person reads it: strings bare, numbers and booleans as written, empty sections as {} or [].</summary>
    public static string Display(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } text ? text : "\"\"",
        _ => value.ToJsonString(),
    };

    /// <summary>A copy of the document with every secret value replaced by <see cref="Redacted"/>.</summary>
    public JsonObject Redact()
    {
        var copy = (JsonObject)Root.DeepClone();
        RedactIn(copy, "");
        return copy;

        static void RedactIn(JsonNode node, string prefix)
        {
            if (node is JsonObject obj)
            {
                foreach (var name in obj.Select(p => p.Key).ToList())
                {
                    var key = prefix.Length == 0 ? name : $"{prefix}:{name}";
                    if (obj[name] is JsonObject or JsonArray)
                    {
                        RedactIn(obj[name]!, key);
                    }
                    else if (IsSecret(key) && obj[name] is not null)
                    {
                        obj[name] = Redacted;
                    }
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    var key = $"{prefix}:{i}";
                    if (array[i] is JsonObject or JsonArray)
                    {
                        RedactIn(array[i]!, key);
                    }
                    else if (IsSecret(key) && array[i] is not null)
                    {
                        array[i] = Redacted;
                    }
                }
            }
        }
    }

    /// <summary>
    /// The document as file bytes in the file's own style: its indentation (spaces or tabs), its line ends, its BOM,
    /// a final newline; non-ASCII text (Chinese names) stays readable instead of \u escapes.
    /// </summary>
    public byte[] Serialize(JsonObject root)
    {
        var text = Encoding.UTF8.GetString(WithoutBom(Bytes).Span);
        var (character, size) = Indentation(text);
        var json = root.ToJsonString(new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentCharacter = character,
            IndentSize = size,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        json = json.ReplaceLineEndings(text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n");
        json += text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var body = Encoding.UTF8.GetBytes(json);
        return HasBom(Bytes) ? [0xEF, 0xBB, 0xBF, .. body] : body;
    }

    private static (char Character, int Size) Indentation(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.Length > 0 && line[0] == '\t')
            {
                return ('\t', 1);
            }

            var spaces = line.Length - line.TrimStart(' ').Length;
            if (spaces > 0 && spaces < line.Length)
            {
                return (' ', Math.Clamp(spaces, 1, 8));
            }
        }

        return (' ', 2);
    }

    private static bool HasBom(byte[] bytes) => bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);

    private static ReadOnlyMemory<byte> WithoutBom(byte[] bytes) => HasBom(bytes) ? bytes.AsMemory(3) : bytes;

    private static int CountComments(byte[] bytes)
    {
        var reader = new Utf8JsonReader(WithoutBom(bytes).Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Allow, AllowTrailingCommas = true });
        var comments = 0;
        try
        {
            while (reader.Read())
            {
                comments += reader.TokenType == JsonTokenType.Comment ? 1 : 0;
            }
        }
        catch (JsonException)
        {
            // Parse has already refused a file this broken.
        }

        return comments;
    }
}

/// <summary>The configuration file cannot be used; the message names the path and the fix.</summary>
public sealed class KioskConfigDocumentException : Exception
{
    public KioskConfigDocumentException(string message)
        : base(message)
    {
    }

    public KioskConfigDocumentException()
    {
    }

    public KioskConfigDocumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
