namespace Kiosk.Devices;

/// <summary>
/// What a device is and can do. Stable for the life of the device object; read once after open.
/// </summary>
public sealed record DeviceCapabilities
{
    public required string Model { get; init; }
    public string SerialNumber { get; init; } = "";
    public string Firmware { get; init; } = "";
    /// <summary>Feature flags in the form "name" or "name=value", e.g. "duplex", "maxDpi=600", "pressureLevels=1024".</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    public bool Has(string feature) => Features.Any(f => f == feature || f.StartsWith(feature + "=", StringComparison.Ordinal));
}
