using System.Diagnostics;
using Kiosk.Central;
using Kiosk.TestSupport;

namespace Kiosk.Bench;

/// <summary>A fresh Mosquitto broker and the central platform simulator (in this process), with a temp folder for their data and the agent's.</summary>
internal sealed class Testbed : IAsyncDisposable
{
    private Testbed(MosquittoBroker broker, CentralPlatform central, TempFolder folder)
    {
        Broker = broker;
        Central = central;
        Folder = folder;
        central.RecordStored += (_, e) =>
        {
            if (!e.IsDuplicate)
            {
                Interlocked.Increment(ref _stored);
                Interlocked.Exchange(ref _lastStoredAt, Stopwatch.GetTimestamp());
            }
        };
    }

    private long _stored;
    private long _lastStoredAt;

    /// <summary>Records the platform has stored (first copies only).</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Stopwatch timestamp of the platform's last store: with the agent's last ack, it tells whose side the time went to.</summary>
    public long LastStoredAt => Interlocked.Read(ref _lastStoredAt);

    public MosquittoBroker Broker { get; }

    public CentralPlatform Central { get; }

    public TempFolder Folder { get; }

    public int Port => Broker.Port;

    public static async Task<Testbed> StartAsync(string name)
    {
        var folder = new TempFolder("kiosk-bench-" + name);
        var broker = await MosquittoBroker.StartAsync();
        var central = new CentralPlatform(new CentralOptions { BrokerPort = broker.Port, DatabasePath = folder.File("central.db") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await central.StartAsync(timeout.Token);
        return new Testbed(broker, central, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await Central.DisposeAsync();
        await Broker.DisposeAsync();
        Folder.Dispose();
    }
}
