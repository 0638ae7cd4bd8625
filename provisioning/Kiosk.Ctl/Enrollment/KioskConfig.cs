using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Ctl.Config;

namespace Kiosk.Ctl.Enrollment;

/// <summary>
/// The agent's JSON configuration file, read and changed key by key: every key kioskctl does not set is kept.
/// Keys are matched without regard to case, as .NET configuration reads them. Written atomically (a temporary file
/// in the same folder, flushed, then renamed over the old one), keeping the old file's permissions.
/// </summary>
internal sealed class KioskConfig
{
    private static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = true };
    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true };

    private readonly JsonObject _root;

    private KioskConfig(string path, JsonObject root)
    {
        Path = path;
        _root = root;
    }

    public string Path { get; }

    /// <summary>The folder next to the configuration file where the kiosk's key and certificates live.</summary>
    public string PkiFolder => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "pki");

    public bool Exists => File.Exists(Path);

    /// <summary>Reads the file, or starts an empty document when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a JSON object.</exception>
    public static KioskConfig Load(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            return new KioskConfig(path, new JsonObject(NodeOptions));
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(path), NodeOptions, ReadOptions) is JsonObject root
                ? new KioskConfig(path, root)
                : throw new InvalidDataException($"{path} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path} is not valid JSON ({ex.Message})", ex);
        }
    }

    /// <summary>The value at a colon-separated key (<c>Kiosk:Sync:BrokerHost</c>) as a string, or null.</summary>
    public string? Get(string key)
    {
        JsonNode? node = _root;
        foreach (var part in key.Split(':'))
        {
            node = node is JsonObject o ? o[part] : null;
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
        Get(key) is { } text && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Sets a colon-separated key, creating the objects on the way; null removes it.</summary>
    public void Set(string key, JsonNode? value)
    {
        var parts = key.Split(':');
        var parent = _root;
        foreach (var part in parts[..^1])
        {
            if (parent[part] is not JsonObject child)
            {
                child = new JsonObject(NodeOptions);
                parent[part] = child;
            }

            parent = child;
        }

        if (value is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = value;
        }
    }

    /// <summary>
    /// Writes the document over the file (through a symbolic link to its target, so the link stays), keeping the old
    /// file's mode (a new file is 0644); as root the file takes its folder's owner, like the key material.
    /// </summary>
    public void Save()
    {
        var target = AtomicFile.Target(Path);
        var mode = OperatingSystem.IsWindows() || !File.Exists(target) ? PkiFiles.Public : File.GetUnixFileMode(target);
        AtomicFile.WriteOwnedByFolder(target, JsonSerializer.SerializeToUtf8Bytes(_root, WriteOptions), mode);
    }
}
