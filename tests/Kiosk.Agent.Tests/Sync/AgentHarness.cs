using System.Globalization;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Sync;
using Kiosk.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>The whole agent host in-process, against a real broker, with its data in a temp folder.</summary>
internal sealed class AgentHarness : IAsyncDisposable
{
    private readonly IHost _host;

    public AgentHarness(int brokerPort, string dataFolder, IDictionary<string, string?>? overrides = null, TimeProvider? timeProvider = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        var settings = new Dictionary<string, string?>
        {
            ["Kiosk:SiteId"] = "site-t",
            ["Kiosk:KioskId"] = "kiosk-t",
            ["Kiosk:Profile"] = "demo",
            ["Kiosk:DataFolder"] = dataFolder,
            ["Kiosk:Sync:BrokerHost"] = "127.0.0.1",
            ["Kiosk:Sync:BrokerPort"] = brokerPort.ToString(CultureInfo.InvariantCulture),
            ["Kiosk:Sync:ReconnectBaseDelay"] = "00:00:00.100",
            ["Kiosk:Sync:ReconnectMaxDelay"] = "00:00:01",
            ["Kiosk:Devices:Simulation:DataFolder"] = RepositoryPaths.TestData,
            // Port 0: agents of tests running in parallel each get a free port (written to <DataFolder>/local-api.url).
            ["Kiosk:LocalApi:Url"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.AddKioskAgent();
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        _host = builder.Build();
    }

    public IServiceProvider Services => _host.Services;

    public OutboxStore Outbox => Services.GetRequiredService<OutboxStore>();

    public SyncStatus Status => Services.GetRequiredService<SyncStatus>();

    public Topics Topics => Services.GetRequiredService<AgentIdentity>().Topics;

    private bool _started;

    public async Task StartAsync()
    {
        await _host.StartAsync();
        _started = true;
    }

    /// <summary>Commits a record and wakes the publisher, as the session does.</summary>
    public async Task<CommitReceipt> CommitAsync(NewRecord record)
    {
        var receipt = await Outbox.CommitAsync(record, CancellationToken.None);
        Services.GetRequiredService<OutboxSignal>().Set();
        return receipt;
    }

    /// <summary>Completes when the platform has acknowledged every one of <paramref name="recordIds"/>.</summary>
    public Task WaitAcknowledgedAsync(IEnumerable<string> recordIds)
    {
        var waiting = new HashSet<string>(recordIds);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Status.RecordAcknowledged += (_, e) =>
        {
            lock (waiting)
            {
                if (waiting.Remove(e.RecordId) && waiting.Count == 0)
                {
                    done.TrySetResult();
                }
            }
        };
        return done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (_started)
        {
            await _host.StopAsync();
        }

        _host.Dispose();
    }
}
