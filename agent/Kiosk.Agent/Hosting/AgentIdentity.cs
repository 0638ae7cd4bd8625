using System.Reflection;
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

    public static string AgentVersion { get; } =
        typeof(AgentIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
