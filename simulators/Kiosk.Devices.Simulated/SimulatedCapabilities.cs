namespace Kiosk.Devices.Simulated;

/// <summary>Capabilities of a simulated device: model "Simulated &lt;class&gt;" and a serial number derived from the seed.</summary>
internal static class SimulatedCapabilities
{
    public static DeviceCapabilities For(DeviceClass deviceClass, int seed, params string[] features)
    {
        var serial = new SeededRandom(seed, "serial/" + deviceClass).NextUInt64() % 100_000_000;
        return new DeviceCapabilities
        {
            Model = $"Simulated {deviceClass}",
            SerialNumber = $"SIM-{serial:D8}",
            Firmware = "simulated-1.0",
            Features = ["simulated", .. features],
        };
    }
}
