using System.Globalization;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.Simulation;
using Kiosk.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Bench;

/// <summary>The whole agent host in this process (as tests/Kiosk.Agent.Tests/Sync/TestAgent does), logging off.</summary>
internal sealed class InProcessAgent : IAsyncDisposable
{
    private readonly IHost _host;

    public InProcessAgent(int brokerPort, string dataFolder, string kioskId)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kiosk:SiteId"] = "bench",
            ["Kiosk:KioskId"] = kioskId,
            ["Kiosk:Profile"] = "demo",
            ["Kiosk:DataFolder"] = dataFolder,
            ["Kiosk:Sync:BrokerHost"] = "127.0.0.1",
            ["Kiosk:Sync:BrokerPort"] = brokerPort.ToString(CultureInfo.InvariantCulture),
            ["Kiosk:Devices:Simulation:DataFolder"] = RepositoryPaths.TestData,
            ["Kiosk:LocalApi:Url"] = "http://127.0.0.1:0",
        });
        builder.Logging.ClearProviders();
        builder.AddKioskAgent();
        builder.AddSimulatedKiosk();
        _host = builder.Build();
    }

    /// <summary>The file the agent opens as its outbox, to fill a backlog before it starts.</summary>
    public static string OutboxPath(string dataFolder) => Path.Combine(dataFolder, "outbox.db");

    public OutboxStore Outbox => _host.Services.GetRequiredService<OutboxStore>();

    public SyncStatus Status => _host.Services.GetRequiredService<SyncStatus>();

    public Task StartAsync() => _host.StartAsync();

    /// <summary>Commits (which wakes the publisher), as the check-in session does.</summary>
    public Task<CommitReceipt> CommitAsync(NewRecord record) => Outbox.CommitAsync(record, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _host.StopAsync(stopping.Token);
        _host.Dispose();
    }
}
