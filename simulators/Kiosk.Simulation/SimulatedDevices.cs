using System.Globalization;
using Kiosk.Agent.Devices;
using Kiosk.Devices.Simulated;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Simulation;

/// <summary>A kiosk's device set with every class simulated, built as the agent builds it (driver registry, device selection).</summary>
public static class SimulatedDevices
{
    /// <param name="settings">More <c>Kiosk:Devices</c> settings, e.g. <c>Kiosk:Devices:DocumentCamera=None</c> for a kiosk without one.</param>
    public static DeviceSet Create(TimeProvider timeProvider, string testDataFolder, TimeSpan operationDelay, int seed = 1, IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kiosk:Devices:Simulation:DataFolder"] = testDataFolder,
            ["Kiosk:Devices:Simulation:OperationDelay"] = operationDelay.ToString("c", CultureInfo.InvariantCulture),
            ["Kiosk:Devices:Simulation:Seed"] = seed.ToString(CultureInfo.InvariantCulture),
        }).AddInMemoryCollection(settings ?? []).Build();
        var selection = DeviceSelection.Read(configuration, new DriverRegistry(SimulatedDrivers.All), demoProfile: true);
        return new DeviceSet(selection, AppContext.BaseDirectory, timeProvider);
    }
}
