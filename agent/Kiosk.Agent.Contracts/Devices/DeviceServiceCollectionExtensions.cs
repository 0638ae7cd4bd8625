using Kiosk.Devices.Drivers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kiosk.Agent.Devices;

public static class DeviceServiceCollectionExtensions
{
    /// <summary>
    /// Makes <paramref name="drivers"/> available to <c>Kiosk:Devices</c>. Hosts call it once per set of drivers: the
    /// production host with the real drivers, the demo and the tests also with the simulators.
    /// </summary>
    public static IServiceCollection AddKioskDrivers(this IServiceCollection services, IEnumerable<DriverDescriptor> drivers)
    {
        ArgumentNullException.ThrowIfNull(drivers);
        foreach (var driver in drivers)
        {
            services.AddSingleton(driver);
        }

        services.TryAddSingleton(sp => new DriverRegistry(sp.GetServices<DriverDescriptor>()));
        return services;
    }
}
