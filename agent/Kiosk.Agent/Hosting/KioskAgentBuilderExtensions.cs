using Kiosk.Agent.Devices;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.Agent.Session;
using Kiosk.Agent.Sync;
using Kiosk.Agent.Telemetry;
using Kiosk.Devices.Simulated;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Hosting;

public static class KioskAgentBuilderExtensions
{
    /// <summary>Registers the whole agent: options (validated on start), devices, outbox, session, sync, telemetry and the local API.</summary>
    public static IHostApplicationBuilder AddKioskAgent(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<KioskOptions>().Bind(configuration.GetSection(KioskOptions.Section)).ValidateOnStart();
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection("Kiosk:Sync"));
        services.AddOptions<DeviceOptions>().Bind(configuration.GetSection("Kiosk:Devices"));
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection("Kiosk:Session"));
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection("Kiosk:Outbox"));
        services.AddSingleton<IValidateOptions<KioskOptions>, KioskOptionsValidation>();
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(sp =>
        {
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            return new AgentIdentity(kiosk.SiteId, kiosk.KioskId, Guid.CreateVersion7().ToString("D"));
        });
        services.AddSingleton(sp => new DeviceSet(sp.GetRequiredService<IOptions<DeviceOptions>>().Value, builder.Environment.ContentRootPath, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp =>
        {
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            var outbox = sp.GetRequiredService<IOptions<OutboxOptions>>().Value;
            var folder = Path.GetFullPath(kiosk.DataFolder, builder.Environment.ContentRootPath);
            var key = OutboxKey.LoadOrCreate(Path.Combine(folder, outbox.KeyFile));
            return OutboxStore.Open(Path.Combine(folder, outbox.DatabaseFile), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AgentIdentity>().BootId, outbox.ToBudget(), key);
        });
        services.AddSingleton<IRoster>(sp => BuildRoster(
            sp.GetRequiredService<IOptions<KioskOptions>>().Value.Roster,
            Path.GetFullPath(sp.GetRequiredService<IOptions<DeviceOptions>>().Value.Simulation.DataFolder, builder.Environment.ContentRootPath)));
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SyncStatus>();
        services.AddSingleton<BirthMessage>();
        services.AddSingleton<CheckInSession>();
        services.AddSingleton(sp =>
        {
            var sync = sp.GetRequiredService<IOptions<SyncOptions>>().Value;
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            var folder = Path.GetFullPath(kiosk.DataFolder, builder.Environment.ContentRootPath);
            return new BrokerSecurity(sync.Tls.Enabled ? new BrokerTls(sync.Tls, sync.BrokerHost, folder) : null);
        });
        services.AddSingleton<MqttConnection>();
        services.AddSingleton<OutboxPublisher>();

        services.AddHostedService<DeviceStartup>();
        services.AddHostedService<RecoveryAlert>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttConnection>());
        services.AddHostedService(sp => sp.GetRequiredService<OutboxPublisher>());
        services.AddHostedService<Heartbeat>();
        services.AddHostedService<StorageAlerts>();

        // Last, so it stops first: the local API (loopback only) goes away before what it reports on.
        services.AddSingleton<ILocalApiModule, AgentApi>();
        services.AddSingleton<ILocalApiModule, SessionApi>();
        services.AddSingleton<ILocalApiModule, SimulationApi>();
        services.AddSingleton<LocalApiServer>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalApiServer>());
        return builder;
    }

    /// <summary>
    /// The platform will push the roster; until then, the simulated people (demo) are the roster, enrolled with the
    /// photograph their simulated face comes from, so a real face camera and matcher can verify them too.
    /// </summary>
    private static InMemoryRoster BuildRoster(RosterOptions options, string photoFolder) =>
        new(SimulatedPeople.Generate(options.Seed, options.SimulatedPeople).Select((p, i) => new RosterEntry(
            $"P{i + 1:D4}", p.Card.IdNumber, i % 2 == 0 ? "normal" : "strict")
        {
            EnrolledSourceId = p.FaceSourceId,
            EnrolledPhoto = File.Exists(Path.Combine(photoFolder, p.FaceSourceId + ".png")) ? File.ReadAllBytes(Path.Combine(photoFolder, p.FaceSourceId + ".png")) : default,
        }));
}
