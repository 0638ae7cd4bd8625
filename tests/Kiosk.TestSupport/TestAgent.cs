using System.Globalization;
using System.Net.Http.Headers;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Kiosk.Agent.Sync;
using Kiosk.Devices;
using Kiosk.Simulation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.TestSupport;

/// <summary>
/// The whole agent host in the test's process, composed as the demo composes it (the agent library, the simulated
/// drivers, the generated roster, and the real drivers so a test can back a device by one), with its data in
/// <c>dataFolder</c>, its broker at <c>brokerPort</c> and its local API on a free loopback port. The one agent fixture of
/// the test projects: settings are overridden per test, and a <see cref="TimeProvider"/> can replace the clock.
/// </summary>
public sealed class TestAgent : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly HashSet<string> _acknowledged = new(StringComparer.Ordinal);
    private bool _started;

    /// <param name="configure">Last changes to the host (e.g. a logger provider that keeps what the agent logs).</param>
    /// <param name="configFile">
    /// A JSON configuration file read over the settings and overrides, as KIOSK_CONFIG names it for an installed agent,
    /// with the platform's settings (<c>{DataFolder}/platform-config.json</c>, which cmd/config changes) over it, composed
    /// as Program.cs composes them (<see cref="AgentConfigFileExtensions.AddKioskConfigFile"/>). To play the service
    /// manager after a restart, dispose the stopped agent and build a new one on the same data folder and file.
    /// </param>
    public TestAgent(int brokerPort, string dataFolder, IDictionary<string, string?>? overrides = null, TimeProvider? timeProvider = null, Action<HostApplicationBuilder>? configure = null, string? configFile = null)
    {
        DataFolder = dataFolder;
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
            // A roster, as the platform would send one (0 to test a kiosk that has none yet).
            ["Kiosk:Roster:SimulatedPeople"] = "4",
            // Port 0: agents of tests running in parallel each get a free port (written to <DataFolder>/local-api.url).
            ["Kiosk:LocalApi:Url"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
            // As enrollment stores it: the platform's command-signing key, with which every ack and command is verified.
            ["Kiosk:Provisioning:CommandSigningKeyFile"] = TestPlatformKey.PublicKeyFile,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        // The generated roster is a demo's: an agent in the production profile takes its roster from the platform.
        if (settings["Kiosk:Profile"] != "demo" && overrides?.ContainsKey("Kiosk:Roster:SimulatedPeople") != true)
        {
            settings.Remove("Kiosk:Roster:SimulatedPeople");
        }

        builder.Configuration.AddInMemoryCollection(settings);
        if (configFile is not null)
        {
            builder.AddKioskConfigFile(configFile);
        }

        builder.Logging.ClearProviders();
        builder.AddKioskAgent();
        builder.AddSimulatedKiosk();
        builder.Services.AddKioskDrivers(RealDrivers.All);
        if (timeProvider is not null)
        {
            builder.Services.AddSingleton(timeProvider);
        }

        configure?.Invoke(builder);
        _host = builder.Build();

        // Every ack from the first moment: a wait that begins after StartAsync must not miss one that came before it.
        Status.RecordAcknowledged += (_, e) =>
        {
            lock (_acknowledged)
            {
                _acknowledged.Add(e.RecordId);
            }
        };
    }

    public string DataFolder { get; }

    public IServiceProvider Services => _host.Services;

    public OutboxStore Outbox => Services.GetRequiredService<OutboxStore>();

    public SyncStatus Status => Services.GetRequiredService<SyncStatus>();

    public CheckInSession Session => Services.GetRequiredService<CheckInSession>();

    /// <summary>Why the agent asked to be restarted (it has stopped, or is stopping), or null.</summary>
    public string? RestartReason => Services.GetRequiredService<RestartRequest>().Reason;

    public Topics Topics => Services.GetRequiredService<AgentIdentity>().Topics;

    /// <summary>Where the local API listens (null before start or when it is disabled).</summary>
    public Uri? LocalApi => Services.GetRequiredService<LocalApiServer>().Address;

    public async Task StartAsync()
    {
        await _host.StartAsync();
        _started = true;
    }

    /// <summary>Commits a record as the session does (the commit wakes the publisher).</summary>
    public Task<CommitReceipt> CommitAsync(NewRecord record) => Outbox.CommitAsync(record, CancellationToken.None);

    /// <summary>
    /// Completes when the platform has acknowledged every one of <paramref name="recordIds"/> since this agent was built,
    /// before or after the call (bounded by <see cref="Eventually.DefaultBound"/>).
    /// </summary>
    public Task WaitAcknowledgedAsync(IEnumerable<string> recordIds)
    {
        var waiting = recordIds.ToList();
        return Eventually.TrueAsync(
            () =>
            {
                lock (_acknowledged)
                {
                    return waiting.All(_acknowledged.Contains);
                }
            },
            $"the platform acknowledged all {waiting.Count} records");
    }

    /// <summary>A client of the local API carrying this run's token, as kioskctl and the kiosk screen call it.</summary>
    public HttpClient ApiClient()
    {
        var address = LocalApi ?? throw new InvalidOperationException("the local API is not listening");
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(LocalApiToken.Scheme, LocalApiToken.Read(DataFolder));
        return client;
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
