using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>An agent in the production profile (mutual TLS, no generated roster) for a broker's mutual-TLS listener.</summary>
internal static class MutualTlsAgent
{
    public static TestAgent Create(int tlsPort, string dataFolder, string caFile, string certFile, string keyFile, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kiosk:Profile"] = "production",
            // The production profile takes its roster from the platform only (a generated one is refused at start).
            ["Kiosk:Roster:SimulatedPeople"] = "0",
            ["Kiosk:Sync:Tls:Enabled"] = "true",
            ["Kiosk:Sync:Tls:CaFile"] = caFile,
            ["Kiosk:Sync:Tls:ClientCertificateFile"] = certFile,
            ["Kiosk:Sync:Tls:ClientKeyFile"] = keyFile,
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new TestAgent(tlsPort, dataFolder, settings);
    }
}
