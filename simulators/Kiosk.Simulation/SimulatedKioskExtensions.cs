using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Session;
using Kiosk.Devices.Audio;
using Kiosk.Devices.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Kiosk.Simulation;

public static class SimulatedKioskExtensions
{
    /// <summary>
    /// Adds what only a demo or a test kiosk has, after <c>AddKioskAgent</c>: the simulated drivers (and the WAV-file
    /// microphone), the generated roster of <c>Kiosk:Roster:SimulatedPeople</c> people, and
    /// <c>/api/simulation/visitor</c> to put one of them in front of the simulated devices. The demo profile then backs
    /// every device class left unset with its simulator; the production profile still refuses all of it.
    /// </summary>
    public static IHostApplicationBuilder AddSimulatedKiosk(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddKioskDrivers([.. SimulatedDrivers.All, AudioDrivers.File]);
        builder.Services.Replace(ServiceDescriptor.Singleton<IRoster>(sp =>
            SimulatedRoster.Create(sp.GetRequiredService<IOptions<KioskOptions>>().Value.Roster, sp.GetRequiredService<IConfiguration>(), contentRoot, sp.GetRequiredService<RosterStore>())));
        builder.Services.AddSingleton<ILocalApiModule, SimulationApi>();
        return builder;
    }
}
