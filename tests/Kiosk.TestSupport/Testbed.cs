using Kiosk.Central;

namespace Kiosk.TestSupport;

/// <summary>
/// A fresh Mosquitto broker and the central platform simulator in this process, with a temp folder for their data and
/// the agents': the one broker+platform fixture that agent, sync, fault and bench tests compose agents around.
/// </summary>
public sealed class Testbed : IAsyncDisposable
{
    private Testbed(MosquittoBroker broker, CentralPlatform central, TempFolder folder)
    {
        Broker = broker;
        Central = central;
        Folder = folder;
    }

    public MosquittoBroker Broker { get; }

    public CentralPlatform Central { get; }

    public TempFolder Folder { get; }

    public int Port => Broker.Port;

    /// <param name="configure">Changes the platform's options (its broker and database are the testbed's).</param>
    public static async Task<Testbed> StartAsync(string name, Action<CentralOptions>? configure = null)
    {
        var folder = new TempFolder("kiosk-" + name);
        var broker = await MosquittoBroker.StartAsync();
        var options = new CentralOptions { BrokerHost = MosquittoBroker.Host, BrokerPort = broker.Port, DatabasePath = folder.File("central.db"), ClientId = "central-" + Guid.NewGuid().ToString("N"), SigningKeyFile = TestPlatformKey.PrivateKeyFile };
        configure?.Invoke(options);
        var central = new CentralPlatform(options);
        using var timeout = new CancellationTokenSource(Eventually.DefaultBound);
        await central.StartAsync(timeout.Token);
        return new Testbed(broker, central, folder);
    }

    /// <summary>An agent of this testbed with its data in a folder of its own (<paramref name="name"/>), not started.</summary>
    /// <param name="configFile">The agent's JSON configuration file (<see cref="TestAgent"/>), or none.</param>
    public TestAgent Agent(string name = "agent", IDictionary<string, string?>? overrides = null, TimeProvider? timeProvider = null, Action<Microsoft.Extensions.Hosting.HostApplicationBuilder>? configure = null, string? configFile = null) =>
        new(Port, Folder.File(name), overrides, timeProvider, configure, configFile);

    public async ValueTask DisposeAsync()
    {
        await Central.DisposeAsync();
        await Broker.DisposeAsync();
        Folder.Dispose();
    }
}
