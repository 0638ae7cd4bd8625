using Kiosk.Devices;
using Kiosk.Devices.Drivers;

namespace Kiosk.Agent.Devices;

/// <summary>What the configuration chose for one device class.</summary>
/// <param name="Driver">The driver's name as configured (or defaulted), <see cref="DriverRegistry.None"/> when the kiosk has none.</param>
/// <param name="Configured">The driver with its settings; null when none is fitted or the name is not a known driver.</param>
public sealed record DeviceChoice(DeviceClass DeviceClass, string Driver, ConfiguredDriver? Configured)
{
    /// <summary>The configuration key that chooses the driver, e.g. <c>Kiosk:Devices:IdCardReader</c>.</summary>
    public string Key => $"{ConfigurationDriverSettings.Section}:{DeviceClass}";

    /// <summary>The device's name on the kiosk (<c>idCardReader</c>).</summary>
    public string DeviceName => DeviceNames.Of(DeviceClass);

    public bool IsFitted => Configured is not null;
}

/// <summary>The device names the agent gives its devices: the class in camelCase.</summary>
public static class DeviceNames
{
    public static string Of(DeviceClass deviceClass)
    {
        var name = deviceClass.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }
}
