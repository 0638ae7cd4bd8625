using System.Reflection;
using System.Text.Json;
using Kiosk.Agent.Sync;

namespace Kiosk.Agent.Hosting;

/// <summary>Who this agent is on the wire, and which run of it this is.</summary>
public sealed class AgentIdentity
{
    public AgentIdentity(string siteId, string kioskId, string bootId)
    {
        SiteId = siteId;
        KioskId = kioskId;
        BootId = bootId;
        Topics = new Topics(siteId, kioskId);
    }

    public string SiteId { get; }

    public string KioskId { get; }

    public string BootId { get; }

    public Topics Topics { get; }

    public string ClientId => $"kiosk-{SiteId}-{KioskId}";

    /// <summary>
    /// The installed release's version: install.ps1 keeps each release as <c>releases/&lt;version&gt;/agent</c> next to the
    /// package's <c>package.json</c>, and that is the version a technician upgrades to and rolls back from. Without a
    /// package (run from a build), the assembly's informational version.
    /// </summary>
    public static string AgentVersion { get; } = PackageVersion(Path.Combine(AppContext.BaseDirectory, "..", "package.json"))
        ?? typeof(AgentIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static string? PackageVersion(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.TryGetProperty("version", out var version) && version.ValueKind == JsonValueKind.String
                && version.GetString() is { Length: > 0 and <= 64 } text && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '+')
                ? text
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }
}
