using Kiosk.Agent.Configuration;
using Kiosk.Agent.Consent;
using Kiosk.Agent.Control;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Devices;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.Agent.Session;
using Kiosk.Agent.Sync;
using Kiosk.Agent.Telemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Hosting;

public static class KioskAgentBuilderExtensions
{
    /// <summary>The control store's file in the data folder (<see cref="ControlStore"/>).</summary>
    public const string ControlFile = "control.db";

    /// <summary>
    /// Registers the whole agent: options (validated on start), devices, outbox, consent store, session, sync, telemetry and the local API.
    /// Which drivers exist is the host's choice (<see cref="DeviceServiceCollectionExtensions.AddKioskDrivers"/>); the roster
    /// is the platform's (<see cref="PlatformRoster"/>) unless a demo or test host replaces <see cref="IRoster"/>.
    /// </summary>
    public static IHostApplicationBuilder AddKioskAgent(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddKioskConfiguration();
        var services = builder.Services;
        var contentRoot = builder.Environment.ContentRootPath;
        services.AddKioskDrivers([]);
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton(sp =>
        {
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            return new AgentIdentity(kiosk.SiteId, kiosk.KioskId, Guid.CreateVersion7().ToString("D"));
        });
        services.AddSingleton(sp => new DeviceSet(
            DeviceSelection.Read(sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<DriverRegistry>(), sp.GetRequiredService<IOptions<KioskOptions>>().Value.IsDemo),
            contentRoot,
            sp.GetRequiredService<TimeProvider>()));
        // The outbox key is read (and unsealed) once: the outbox and the control store both seal with it.
        services.AddSingleton(sp =>
        {
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            var outbox = sp.GetRequiredService<IOptions<OutboxOptions>>().Value;
            return new SealingKey(OutboxKey.LoadOrCreate(Path.Combine(Path.GetFullPath(kiosk.DataFolder, contentRoot), outbox.KeyFile)));
        });
        services.AddSingleton(sp =>
        {
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            var outbox = sp.GetRequiredService<IOptions<OutboxOptions>>().Value;
            var folder = Path.GetFullPath(kiosk.DataFolder, contentRoot);
            return OutboxStore.Open(Path.Combine(folder, outbox.DatabaseFile), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AgentIdentity>().BootId, OutboxBudget.From(outbox), sp.GetRequiredService<SealingKey>().Key);
        });
        services.AddSingleton(sp =>
        {
            var folder = Path.GetFullPath(sp.GetRequiredService<IOptions<KioskOptions>>().Value.DataFolder, contentRoot);
            return ControlStore.Open(Path.Combine(folder, ControlFile), sp.GetRequiredService<SealingKey>().Key, sp.GetRequiredService<TimeProvider>());
        });
        // Consents given at this kiosk, keyed by an HMAC of the person under a key derived from the outbox key (ConsentStore).
        services.AddSingleton(sp =>
        {
            var folder = Path.GetFullPath(sp.GetRequiredService<IOptions<KioskOptions>>().Value.DataFolder, contentRoot);
            return ConsentStore.Open(Path.Combine(folder, ConsentStore.FileName), sp.GetRequiredService<SealingKey>().Key, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ConsentStore>>());
        });
        services.AddSingleton(sp =>
        {
            var keyFile = sp.GetRequiredService<IOptions<ProvisioningOptions>>().Value.CommandSigningKeyFile;
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            return new PlatformKeyRing(sp.GetRequiredService<ControlStore>(), string.IsNullOrWhiteSpace(keyFile) ? null : Path.GetFullPath(keyFile, Path.GetFullPath(kiosk.DataFolder, contentRoot)));
        });
        services.AddSingleton(sp =>
        {
            var identity = sp.GetRequiredService<AgentIdentity>();
            var status = sp.GetRequiredService<SyncStatus>();
            return new PlatformMessageVerifier(sp.GetRequiredService<PlatformKeyRing>(), identity.SiteId, identity.KioskId, sp.GetRequiredService<TimeProvider>(), () => status.ClockOffset);
        });
        services.AddSingleton<RestartRequest>();
        services.AddSingleton<ClockChallenge>();
        services.AddSingleton<ICommandHandler, ProbeCommand>();
        services.AddSingleton<ICommandHandler, RestartCommand>();
        services.AddSingleton<ICommandHandler, SigningKeyCommand>();
        services.AddSingleton<RosterStore>();
        services.AddSingleton<PolicyStore>();
        services.AddSingleton<ICommandHandler, RosterCommand>();
        services.AddSingleton<ICommandHandler, PolicyCommand>();
        services.TryAddSingleton(new AgentConfigFile(null));
        services.AddSingleton<ICommandHandler, ConfigCommand>();
        services.AddSingleton<ICommandHandler, LogsCommand>();
        services.AddSingleton<ICommandHandler, AlertDispositionCommand>();
        services.AddSingleton<Kiosk.Agent.Logging.RollingFileLog>();
        services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(sp => sp.GetRequiredService<Kiosk.Agent.Logging.RollingFileLog>());
        services.AddHostedService<Kiosk.Agent.Logging.RollingFileLogStart>();
        services.AddHostedService<Kiosk.Agent.Control.Configuration.ConfigChangeMonitor>();
        services.AddSingleton<CertificateRenewal>();
        services.AddSingleton<ICommandHandler, RenewCertificateCommand>();
        services.AddSingleton<ICommandHandler, CertificateCommand>();
        services.AddSingleton(sp => new CommandProcessor(
            sp.GetServices<ICommandHandler>(),
            sp.GetRequiredService<PlatformMessageVerifier>(),
            sp.GetRequiredService<ControlStore>(),
            sp.GetRequiredService<OutboxStore>(),
            sp.GetRequiredService<SyncStatus>(),
            sp.GetRequiredService<AgentIdentity>(),
            sp.GetRequiredService<MqttConnection>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<CommandProcessor>>()));
        services.TryAddSingleton<IRoster, PlatformRoster>();
        services.AddSingleton<Alerts>();
        services.AddSingleton<SyncStatus>();
        services.AddSingleton<BirthMessage>();
        services.AddSingleton<CheckInSession>();
        services.AddSingleton(sp =>
        {
            var sync = sp.GetRequiredService<IOptions<SyncOptions>>().Value;
            var kiosk = sp.GetRequiredService<IOptions<KioskOptions>>().Value;
            var folder = Path.GetFullPath(kiosk.DataFolder, contentRoot);
            return new BrokerSecurity(sync.Tls.Enabled ? new BrokerTls(sync.Tls, sync.BrokerHost, folder) : null);
        });
        services.AddSingleton<MqttConnection>();
        services.AddSingleton<OutboxPublisher>();

        services.AddHostedService<DeviceStartup>();
        // After the devices open: voice prompts, status lights and the call button follow the session.
        services.AddSingleton<SessionFeedback>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionFeedback>());
        services.AddHostedService<RecoveryAlert>();
        services.AddHostedService(sp => sp.GetRequiredService<MqttConnection>());
        services.AddHostedService(sp => sp.GetRequiredService<OutboxPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<CommandProcessor>());
        services.AddHostedService(sp => sp.GetRequiredService<CertificateRenewal>());
        services.AddHostedService<Heartbeat>();
        services.AddHostedService<StorageAlerts>();

        // Last, so it stops first: the local API (loopback only) goes away before what it reports on.
        services.AddSingleton<ILocalApiModule, AgentApi>();
        services.AddSingleton<ILocalApiModule, SessionApi>();
        services.AddSingleton<ScreenAccess>();
        services.AddSingleton<ILocalApiModule, ScreenApi>();
        services.AddSingleton<LocalApiServer>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalApiServer>());
        services.AddHostedService<ScreenUrlFile>();
        return builder;
    }

    /// <summary>The outbox key as read once at start (<see cref="OutboxKey.LoadOrCreate"/>).</summary>
    private sealed record SealingKey(byte[] Key);
}
