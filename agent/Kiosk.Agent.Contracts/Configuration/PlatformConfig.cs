using Kiosk.Agent.Configuration.Editing;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Agent.Configuration;

/// <summary>
/// The platform's settings: <c>{Kiosk:DataFolder}/platform-config.json</c>, a JSON file in the shape of the kiosk's
/// configuration file, written only by the agent's <c>cmd/config</c> and layered over the technician's file (KIOSK_CONFIG):
/// a key set in both takes the platform's value; the command line still wins over both. The technician's file lives
/// where the agent may not write (/etc/kiosk, next to the kiosk's key); the data folder is the agent's own.
/// <para>
/// Only what <c>cmd/config</c> could have written is read from it: a key of <see cref="RemoteConfigPolicy"/>'s deny list,
/// or outside the sections the agent reads, is ignored (<see cref="PlatformConfigOverlay.Ignored"/>, logged at start),
/// so the file can never move the data folder or change the TLS files, the signing key or the kiosk's identity, whoever
/// wrote it. A file that cannot be read is ignored whole, with the reason (<see cref="PlatformConfigOverlay.Problem"/>):
/// the kiosk runs on the technician's settings rather than not at all.
/// </para>
/// </summary>
public static class PlatformConfig
{
    /// <summary>The file's name in the data folder.</summary>
    public const string FileName = "platform-config.json";

    /// <summary>The platform's settings file of the agent configured by <paramref name="configuration"/> and started in <paramref name="contentRoot"/>.</summary>
    public static string PathFor(IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return PathIn(configuration["Kiosk:DataFolder"], contentRoot);
    }

    /// <summary>The platform's settings file in the data folder <paramref name="dataFolder"/> (the default when empty), resolved against <paramref name="contentRoot"/>.</summary>
    public static string PathIn(string? dataFolder, string contentRoot) =>
        Path.Combine(Path.GetFullPath(dataFolder is { Length: > 0 } ? dataFolder : new KioskOptions().DataFolder, contentRoot), FileName);

    /// <summary>Why the agent does not take <paramref name="key"/> from the platform's file, or null when it does.</summary>
    public static string? WhyIgnored(string key) => KioskConfigEditor.CheckKey(key) ?? RemoteConfigPolicy.WhyDenied(key);

    /// <summary>
    /// Reads the platform's settings at <paramref name="path"/>: nothing when there is no file (or it is empty), the keys
    /// the agent takes from it otherwise. Never throws for the file's content: an unreadable file comes back with
    /// <see cref="PlatformConfigOverlay.Problem"/> and no settings.
    /// </summary>
    public static PlatformConfigOverlay Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes;
        try
        {
            bytes = File.Exists(path) ? File.ReadAllBytes(path) : [];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return PlatformConfigOverlay.Unreadable(path, [], $"the platform's settings {path} cannot be read ({ex.Message})");
        }

        return Parse(path, bytes);
    }

    /// <summary><see cref="Read"/> of <paramref name="bytes"/> as the content of <paramref name="path"/>.</summary>
    public static PlatformConfigOverlay Parse(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length == 0)
        {
            return new PlatformConfigOverlay(KioskConfigDocument.Empty(path), new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase), [], null);
        }

        KioskConfigDocument document;
        try
        {
            document = KioskConfigDocument.Parse(path, bytes);
        }
        catch (KioskConfigDocumentException ex)
        {
            return PlatformConfigOverlay.Unreadable(path, bytes, ex.Message);
        }

        var taken = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var ignored = new List<string>();
        foreach (var (key, value) in document.Settings)
        {
            if (WhyIgnored(key) is null)
            {
                taken[key] = value;
            }
            else
            {
                ignored.Add(key);
            }
        }

        ignored.Sort(StringComparer.OrdinalIgnoreCase);
        return new PlatformConfigOverlay(document, taken, ignored, null);
    }

    /// <summary>The settings of <paramref name="baseSettings"/> with <paramref name="platform"/>'s laid over them, as the agent layers the two files.</summary>
    public static Dictionary<string, string?> Effective(IReadOnlyDictionary<string, string?> baseSettings, IReadOnlyDictionary<string, string?> platform)
    {
        ArgumentNullException.ThrowIfNull(baseSettings);
        ArgumentNullException.ThrowIfNull(platform);
        var effective = new Dictionary<string, string?>(baseSettings, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in platform)
        {
            effective[key] = value;
        }

        return effective;
    }

    /// <summary>
    /// Adds the platform's settings of the configuration built so far (its <c>Kiosk:DataFolder</c>, resolved against
    /// <paramref name="contentRoot"/>) as the next source: what it reads, and what it ignores, is
    /// <see cref="PlatformConfigSource.Loaded"/>.
    /// </summary>
    public static PlatformConfigSource AddKioskPlatformConfig(this IConfigurationBuilder builder, string contentRoot, IEnumerable<string>? args = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // The data folder the agent will use: the sources so far, and the command line that is added after this file.
        IConfiguration sofar = builder as IConfiguration ?? builder.Build();
        if (args is not null)
        {
            sofar = new ConfigurationBuilder().AddConfiguration(sofar, shouldDisposeConfiguration: false).AddCommandLine([.. args]).Build();
        }

        var source = new PlatformConfigSource(PathFor(sofar, contentRoot));
        builder.Add(source);
        return source;
    }
}

/// <summary>What the agent takes from the platform's settings file (<see cref="PlatformConfig.Read"/>).</summary>
/// <param name="Document">The file as it is (empty when there is none or it cannot be read).</param>
/// <param name="Settings">The keys the agent takes from it, flattened like the configuration.</param>
/// <param name="Ignored">Keys in the file the agent does not take (denied, or outside its sections).</param>
/// <param name="Problem">Why the whole file is ignored (not JSON, not readable), or null.</param>
public sealed record PlatformConfigOverlay(KioskConfigDocument Document, IReadOnlyDictionary<string, string?> Settings, IReadOnlyList<string> Ignored, string? Problem)
{
    /// <summary>The file's full path.</summary>
    public string Path => Document.Path;

    /// <summary>The file as it is on disk, byte for byte (empty when there is none).</summary>
    public byte[] Bytes { get; init; } = Document.Bytes;

    internal static PlatformConfigOverlay Unreadable(string path, byte[] bytes, string problem) =>
        new(KioskConfigDocument.Empty(path), new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase), [], problem) { Bytes = bytes };
}

/// <summary>The configuration source of the platform's settings file (<see cref="PlatformConfig.AddKioskPlatformConfig"/>).</summary>
public sealed class PlatformConfigSource(string path) : IConfigurationSource
{
    /// <summary>The file's full path.</summary>
    public string Path { get; } = path;

    /// <summary>What the last load read (null before the first).</summary>
    public PlatformConfigOverlay? Loaded { get; internal set; }

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(this);

    private sealed class Provider(PlatformConfigSource source) : ConfigurationProvider
    {
        public override void Load()
        {
            var overlay = PlatformConfig.Read(source.Path);
            source.Loaded = overlay;
            Data = new Dictionary<string, string?>(overlay.Settings, StringComparer.OrdinalIgnoreCase);
        }

        public override string ToString() => $"PlatformConfig ({source.Path})";
    }
}
