using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Configuration.Editing;

namespace Kiosk.Ctl.Config;

/// <summary>
/// The kiosk's JSON configuration file as kioskctl reads and writes it: found at <c>--config</c>, else where the
/// agent finds it (<see cref="KioskConfigFile.DefaultPath"/>); parsed with the same leniency as the agent's JSON
/// configuration provider (comments, trailing commas) and flattened by that provider, so kioskctl and the agent
/// see the same keys. Reading, flattening and writing are <see cref="KioskConfigDocument"/>'s, which the agent's
/// <c>cmd/config</c> uses too.
/// </summary>
internal sealed class ConfigFile
{
    private ConfigFile(KioskConfigDocument document)
    {
        Document = document;
    }

    /// <summary>The file as the agent reads it.</summary>
    public KioskConfigDocument Document { get; }

    /// <summary>Full path of the file.</summary>
    public string Path => Document.Path;

    /// <summary>The file as it is on disk.</summary>
    public byte[] Bytes => Document.Bytes;

    /// <summary>The parsed document.</summary>
    public JsonObject Root => Document.Root;

    /// <summary>The keys as the agent's configuration sees them (<c>Kiosk:Sync:BrokerPort</c> = <c>8883</c>), case-insensitive.</summary>
    public IReadOnlyDictionary<string, string?> Settings => Document.Settings;

    /// <summary>Whether the file carries comments (the JSON provider allows them; a rewrite does not keep them).</summary>
    public bool HasComments => Document.HasComments;

    /// <summary>The <c>--config PATH</c> option every command that reads the file takes.</summary>
    public static System.CommandLine.Option<FileInfo?> CreateOption() => new("--config")
    {
        HelpName = "PATH",
        Description = $"The agent's configuration file (default: ${KioskConfigFile.EnvironmentVariable} when set, else the installed location: /etc/kiosk/agent.json, or %ProgramData%\\Kiosk\\config\\agent.json on Windows).",
    };

    /// <summary><c>--config</c> when given, else KIOSK_CONFIG, else the installed location.</summary>
    public static string ResolvePath(FileInfo? option) => option?.FullName ?? System.IO.Path.GetFullPath(KioskConfigFile.DefaultPath);

    /// <summary>Reads and parses the file.</summary>
    /// <exception cref="ConfigFileException">The file is missing, unreadable or not a JSON object; the message says how to fix it.</exception>
    public static ConfigFile Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ConfigFileException($"cannot read the configuration {path}: it is a folder. Give the agent's configuration file with --config PATH.");
        }

        if (!File.Exists(path))
        {
            throw new ConfigFileException(
                $"cannot read the configuration {path}: the file does not exist. Create it with 'kioskctl init', or give the agent's configuration file with --config PATH "
                + $"(kioskctl looks at --config, then ${KioskConfigFile.EnvironmentVariable}, then the installed location).");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (UnauthorizedAccessException)
        {
            throw new ConfigFileException($"cannot read the configuration {path}: permission denied. Run kioskctl with sudo (or as the kiosk's service user).");
        }
        catch (IOException ex)
        {
            throw new ConfigFileException($"cannot read the configuration {path}: {ex.Message}");
        }

        return Parse(path, bytes);
    }

    /// <summary>
    /// <see cref="Load"/> for a command: when the file cannot be used, says why on stderr and returns null, and the
    /// command exits with <see cref="ExitCodes.IoError"/>.
    /// </summary>
    public static ConfigFile? LoadOrReport(string path)
    {
        try
        {
            return Load(path);
        }
        catch (ConfigFileException ex)
        {
            Output.Error(ex.Message, ExitCodes.IoError);
            return null;
        }
    }

    /// <summary>Parses <paramref name="bytes"/> as the content of <paramref name="path"/>.</summary>
    /// <exception cref="ConfigFileException">Not a JSON object; the message gives the line and position.</exception>
    public static ConfigFile Parse(string path, byte[] bytes)
    {
        try
        {
            return new ConfigFile(KioskConfigDocument.Parse(path, bytes));
        }
        catch (KioskConfigDocumentException ex)
        {
            throw new ConfigFileException(ex.Message);
        }
    }

    /// <summary>
    /// <see cref="Load"/>, or an empty document when there is no file yet (<c>kioskctl init</c> on a fresh kiosk):
    /// <see cref="Save"/> then creates it.
    /// </summary>
    /// <exception cref="ConfigFileException">The file exists but cannot be used; the message says how to fix it.</exception>
    public static ConfigFile LoadOrEmpty(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        return File.Exists(path) ? Load(path) : new ConfigFile(KioskConfigDocument.Empty(path));
    }

    /// <summary>True when the file was there when it was read.</summary>
    public bool Exists => Document.Exists;

    /// <summary>
    /// The platform's settings laid over this file by the agent (<c>{Kiosk:DataFolder}/platform-config.json</c>, written by
    /// the platform's cmd/config; <see cref="PlatformConfig"/>): what the agent takes from it, what it ignores, or why it
    /// cannot be read. Empty when there is none.
    /// </summary>
    public PlatformConfigOverlay ReadPlatform() => PlatformConfig.Read(PlatformConfig.PathIn(Document.Get("Kiosk:DataFolder"), ConfigValidation.ContentRoot));

    /// <summary>The settings the agent starts with: this file's, with the platform's taken keys laid over them.</summary>
    public IReadOnlyDictionary<string, string?> EffectiveSettings(PlatformConfigOverlay platform) => PlatformConfig.Effective(Settings, platform.Settings);

    /// <summary>The folder next to the configuration file where the kiosk's key and certificates live.</summary>
    public string PkiFolder => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "pki");

    /// <summary>The value at a key of the document (<c>Kiosk:Sync:BrokerHost</c>, sections matched without regard to case) as text, or null.</summary>
    public string? Get(string key) => Document.Get(key);

    public int? GetInt(string key) => Document.GetInt(key);

    /// <summary>Sets a key in the document, creating its sections (an existing one keeps its spelling); null removes it.</summary>
    /// <exception cref="KioskConfigKeyException">The key runs into a value or a list in a way JSON cannot hold.</exception>
    public void Set(string key, JsonNode? value) => Document.Set(key, value);

    /// <summary>
    /// Writes the document over the file in the file's own style (<see cref="Serialize"/>), through a symbolic link the
    /// rules of <see cref="AtomicFile.Target"/> allow, keeping the old file's mode (a new file is 0644); as root the file
    /// takes its folder's owner, like the key material.
    /// </summary>
    public void Save()
    {
        var target = AtomicFile.Target(Path);
        var mode = OperatingSystem.IsWindows() || !File.Exists(target) ? Enrollment.PkiFiles.Public : File.GetUnixFileMode(target);
        AtomicFile.WriteOwnedByFolder(target, Serialize(Root), mode);
    }

    /// <summary>Whether a key's value is a secret that kioskctl never prints.</summary>
    public static bool IsSecret(string key) => KioskConfigDocument.IsSecret(key);

    public const string Redacted = KioskConfigDocument.Redacted;

    /// <summary>Every leaf of the document in file order, keyed like the configuration (<c>Kiosk:Sync:BrokerPort</c>).</summary>
    public static List<(string Key, JsonNode? Value)> Flatten(JsonNode root) => KioskConfigDocument.Flatten(root);

    /// <summary>A leaf as a person reads it: strings bare, numbers and booleans as written, empty sections as {} or [].</summary>
    public static string Display(JsonNode? value) => KioskConfigDocument.Display(value);

    /// <summary>A copy of the document with every secret value replaced by <see cref="Redacted"/>.</summary>
    public JsonObject Redact() => Document.Redact();

    /// <summary>The document as file bytes in the file's own style (indentation, line ends, BOM, final newline).</summary>
    public byte[] Serialize(JsonObject root) => Document.Serialize(root);
}

/// <summary>The configuration file cannot be used; the message names the path and the fix (exit code 3).</summary>
internal sealed class ConfigFileException : Exception
{
    public ConfigFileException(string message)
        : base(message)
    {
    }

    public ConfigFileException()
    {
    }

    public ConfigFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
