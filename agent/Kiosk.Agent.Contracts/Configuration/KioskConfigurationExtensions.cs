using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiosk.Agent.Configuration;

public static class KioskConfigurationExtensions
{
    /// <summary>
    /// Binds every section of the agent's configuration to its options and registers the start-up validation
    /// (<see cref="KioskOptionsValidation"/>, run by <c>ValidateOnStart</c>). The agent calls it, and so does
    /// <see cref="KioskConfigurationCheck"/> for <c>kioskctl config validate</c>, so both check the same things.
    /// </summary>
    public static IHostApplicationBuilder AddKioskConfiguration(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddOptions<KioskOptions>().Bind(configuration.GetSection(KioskOptions.Section)).ValidateOnStart();
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection("Kiosk:Sync"));
        services.AddOptions<SessionOptions>().Bind(configuration.GetSection("Kiosk:Session"));
        services.AddOptions<OutboxOptions>().Bind(configuration.GetSection("Kiosk:Outbox"));
        services.AddOptions<ProvisioningOptions>().Bind(configuration.GetSection(ProvisioningOptions.Section));
        services.AddSingleton<IValidateOptions<KioskOptions>, KioskOptionsValidation>();
        return builder;
    }
}
