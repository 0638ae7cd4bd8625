using Kiosk.Agent.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Kiosk.Agent.Hosting;

/// <summary>
/// The JSON configuration file this agent was started with (KIOSK_CONFIG, full path), or null when it runs without one
/// (the demo, a host that configures it in memory), and the platform's settings laid over it
/// (<see cref="PlatformConfig"/>, <c>{DataFolder}/platform-config.json</c>): <c>cmd/config</c> changes only the
/// platform's file, never the technician's, and refuses without one.
/// </summary>
public sealed record AgentConfigFile(string? Path)
{
    /// <summary>The platform's settings file and what was read from it at start; null without a configuration file.</summary>
    public PlatformConfigSource? Platform { get; init; }
}

public static class AgentConfigFileExtensions
{
    /// <summary>
    /// Reads the configuration as an installed agent does: the technician's file <paramref name="configFile"/>, then the
    /// platform's settings from the data folder that file names (keys the platform may not change are left out), then
    /// the command line <paramref name="args"/> (when given), which wins over both. Program.cs and the tests' agent both
    /// compose it here.
    /// </summary>
    public static IHostApplicationBuilder AddKioskConfigFile(this IHostApplicationBuilder builder, string configFile, string[]? args = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configFile);
        var path = System.IO.Path.GetFullPath(configFile);
        builder.Configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        var platform = builder.Configuration.AddKioskPlatformConfig(builder.Environment.ContentRootPath, args);
        if (args is not null)
        {
            builder.Configuration.AddCommandLine(args);
        }

        builder.Services.AddSingleton(new AgentConfigFile(path) { Platform = platform });
        return builder;
    }
}
