using Kiosk.Devices;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Agent.Devices;

/// <summary>
/// Which driver backs each device class, read from <c>Kiosk:Devices</c> against the <see cref="DriverRegistry"/>,
/// with every problem named: an unknown driver, a simulator outside the demo profile, a driver's own settings.
/// A class left unset is not fitted (<see cref="DriverRegistry.None"/>), except in the demo profile of a host that
/// registered simulators, where it is simulated. Every registered driver's settings are read, fitted or not, so a
/// value that does not convert is reported wherever it is (and <c>kioskctl config set</c> knows every key).
/// </summary>
public sealed class DeviceSelection
{
    private DeviceSelection(IReadOnlyList<DeviceChoice> choices, IReadOnlyList<string> problems)
    {
        Choices = choices;
        Problems = problems;
    }

    /// <summary>One choice per device class, in <see cref="DeviceClass"/> order.</summary>
    public IReadOnlyList<DeviceChoice> Choices { get; }

    /// <summary>Why the agent would refuse this configuration, each naming the key and the fix.</summary>
    public IReadOnlyList<string> Problems { get; }

    public DeviceChoice this[DeviceClass deviceClass] => Choices.First(c => c.DeviceClass == deviceClass);

    /// <exception cref="InvalidOperationException">A value under Kiosk:Devices does not convert to its option's type (the message names the key).</exception>
    public static DeviceSelection Read(IConfiguration configuration, DriverRegistry registry, bool demoProfile)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(registry);
        var settings = new ConfigurationDriverSettings(configuration);
        var configured = registry.All.ToDictionary(d => d, d => d.Configure(settings));
        var choices = new List<DeviceChoice>();
        var problems = new List<string>();
        foreach (var deviceClass in Enum.GetValues<DeviceClass>())
        {
            var key = $"{ConfigurationDriverSettings.Section}:{deviceClass}";
            var value = configuration[key]?.Trim();
            var simulator = registry.For(deviceClass).FirstOrDefault(d => d.IsSimulated);
            var name = string.IsNullOrEmpty(value) ? (demoProfile && simulator is not null ? simulator.Name : DriverRegistry.None) : value;
            if (string.Equals(name, DriverRegistry.None, StringComparison.OrdinalIgnoreCase))
            {
                choices.Add(new DeviceChoice(deviceClass, DriverRegistry.None, null));
                continue;
            }

            var descriptor = registry.Find(deviceClass, name);
            var realNames = string.Join(", ", registry.NamesFor(deviceClass, includeSimulators: false));
            if (descriptor is null)
            {
                problems.Add(IsSimulatorName(name)
                    ? $"{key} '{name}' is a simulator, and this build has none: the production agent runs real devices only; set it to one of {realNames}."
                    : $"{key} '{name}' is not a known driver: use one of {string.Join(", ", registry.NamesFor(deviceClass, includeSimulators: demoProfile))} ({DriverRegistry.None} when this kiosk has no such device).");
                choices.Add(new DeviceChoice(deviceClass, name, null));
                continue;
            }

            if (descriptor.IsSimulated && !demoProfile)
            {
                problems.Add($"{key} '{descriptor.Name}' is a simulator or stand-in, and Kiosk:Profile 'production' runs real devices only: set it to one of {realNames}, or Kiosk:Profile=demo on a demo machine.");
            }

            var driver = configured[descriptor];
            problems.AddRange(driver.Problems());
            choices.Add(new DeviceChoice(deviceClass, descriptor.Name, driver));
        }

        return new DeviceSelection(choices, problems);
    }

    private static bool IsSimulatorName(string name) =>
        name.StartsWith("Simulat", StringComparison.OrdinalIgnoreCase);
}
