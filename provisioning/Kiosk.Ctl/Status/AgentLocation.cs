using System.CommandLine;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.LocalApi;
using Kiosk.Ctl.Config;

namespace Kiosk.Ctl.Status;

/// <summary>
/// Where the agent of this kiosk keeps its data and answers: read from its configuration file (<c>--config</c>, else
/// KIOSK_CONFIG, else the installed location), or from <c>--data</c>. Only the few keys kioskctl needs are read
/// (Kiosk:DataFolder, Kiosk:Outbox:DatabaseFile, Kiosk:LocalApi:*), read by <see cref="ConfigFile"/> as the agent reads them.
/// Relative paths are under the current folder, as the agent resolves them under its working folder.
/// </summary>
internal sealed record AgentLocation(string ConfigPath, bool ConfigRead, string DataFolder, string DatabasePath, string ConfiguredUrl, bool ApiEnabled)
{
    /// <summary>The <c>--config</c> option, as every command that reads the configuration takes it.</summary>
    public static Option<FileInfo?> ConfigOption() => ConfigFile.CreateOption();

    public static Option<DirectoryInfo?> DataOption() => new("--data") { Description = "The agent's data folder (Kiosk:DataFolder), instead of reading it from the configuration." };

    /// <summary>Reads the configuration; a file named with --config must exist, the default one may be missing (defaults then apply).</summary>
    /// <exception cref="AgentLocationException">The configuration cannot be read; the message says what to do.</exception>
    public static AgentLocation Resolve(FileInfo? config, DirectoryInfo? data)
    {
        var path = ConfigFile.ResolvePath(config);
        IReadOnlyDictionary<string, string?> settings = new Dictionary<string, string?>();
        var read = false;
        if (File.Exists(path))
        {
            try
            {
                settings = ConfigFile.Load(path).Settings;
                read = true;
            }
            catch (ConfigFileException ex)
            {
                throw new AgentLocationException(ex.Message);
            }
        }
        else if (config is not null && data is null)
        {
            throw new AgentLocationException($"there is no configuration at {path}: give the agent's configuration file with --config, or its data folder with --data");
        }

        var dataFolder = data?.FullName ?? Path.GetFullPath(settings.GetValueOrDefault("Kiosk:DataFolder") is { Length: > 0 } folder ? folder : new KioskOptions().DataFolder);
        var database = Path.GetFullPath(settings.GetValueOrDefault("Kiosk:Outbox:DatabaseFile") is { Length: > 0 } file ? file : "outbox.db", dataFolder);
        var url = settings.GetValueOrDefault("Kiosk:LocalApi:Url") is { Length: > 0 } configured ? configured : LocalApiOptions.DefaultUrl;
        var enabled = !bool.TryParse(settings.GetValueOrDefault("Kiosk:LocalApi:Enabled"), out var on) || on;
        return new AgentLocation(path, read, dataFolder, database, url, enabled);
    }

    /// <summary>The URL to ask, and where it came from: --url, then the running agent's local-api.url, then the configuration.</summary>
    /// <exception cref="AgentLocationException">No URL can be had (the API is disabled, or --url is not an http URL).</exception>
    public (Uri Url, string Source) ApiUrl(string? explicitUrl)
    {
        if (explicitUrl is not null)
        {
            return Uri.TryCreate(explicitUrl, UriKind.Absolute, out var given) && given.Scheme == Uri.UriSchemeHttp
                ? (given, "--url")
                : throw new AgentLocationException($"--url '{explicitUrl}' is not an http:// URL (e.g. {LocalApiOptions.DefaultUrl})", ExitCodes.Usage);
        }

        if (LocalApiUrlFile.Read(DataFolder) is { } published)
        {
            return (published, LocalApiUrlFile.PathIn(DataFolder));
        }

        if (!ApiEnabled)
        {
            throw new AgentLocationException($"the agent's local API is disabled (Kiosk:LocalApi:Enabled=false in {ConfigPath}): set it to true and restart the agent (systemctl restart kiosk-agent)");
        }

        if (!LocalApiOptions.TryParse(ConfiguredUrl, out var endpoint, out _))
        {
            throw new AgentLocationException($"Kiosk:LocalApi:Url '{ConfiguredUrl}' in {ConfigPath} is not a loopback http:// URL, so the agent refuses to start with it: fix it (kioskctl config validate)");
        }

        if (endpoint.Port == 0)
        {
            // A free port is chosen at each start and written to local-api.url, which is not there.
            throw new AgentLocationException(LocalApiClient.NotRunning($"no {LocalApiUrlFile.FileName} in {DataFolder}"));
        }

        var host = endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]" : endpoint.Address.ToString();
        return (new Uri($"http://{host}:{endpoint.Port}"), ConfigRead ? $"Kiosk:LocalApi:Url in {ConfigPath}" : "the default address");
    }
}

/// <summary>The agent cannot be found or its configuration cannot be read; <see cref="ExitCode"/> says which kind of failure.</summary>
internal sealed class AgentLocationException : Exception
{
    public AgentLocationException(string message, int exitCode)
        : base(message) => ExitCode = exitCode;

    public AgentLocationException(string message)
        : this(message, ExitCodes.IoError)
    {
    }

    public AgentLocationException()
    {
    }

    public AgentLocationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int ExitCode { get; } = ExitCodes.IoError;
}
