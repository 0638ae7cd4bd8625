using Kiosk.Devices;
using Kiosk.Devices.Drivers;

namespace Kiosk.Agent.Devices;

/// <summary>
/// The drivers this build of the kiosk knows, by device class: what a host registered with
/// <see cref="DeviceServiceCollectionExtensions.AddKioskDrivers"/>. The production host registers the real drivers
/// only; the demo and the tests add the simulators. Validation, the agent's device set and <c>kioskctl probe</c> all
/// read it, so a driver name means the same everywhere.
/// Thread safety: immutable.
/// </summary>
public sealed class DriverRegistry
{
    /// <summary>The value of <c>Kiosk:Devices:&lt;Class&gt;</c> for a device this kiosk does not have.</summary>
    public const string None = "None";

    private readonly IReadOnlyList<DriverDescriptor> _all;

    public DriverRegistry(IEnumerable<DriverDescriptor> descriptors)
    {
        ArgumentNullException.ThrowIfNull(descriptors);
        _all = [.. descriptors.Distinct()];
        var twice = _all.GroupBy(d => (d.DeviceClass, Name: d.Name.ToUpperInvariant())).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null)
        {
            throw new ArgumentException($"two drivers are registered as Kiosk:Devices:{twice.Key.DeviceClass}={twice.First().Name}", nameof(descriptors));
        }
    }

    public IReadOnlyList<DriverDescriptor> All => _all;

    /// <summary>True when the host registered simulators (the demo and the tests; never the production host).</summary>
    public bool HasSimulators => _all.Any(d => d.IsSimulated);

    public IReadOnlyList<DriverDescriptor> For(DeviceClass deviceClass) => [.. _all.Where(d => d.DeviceClass == deviceClass)];

    public DriverDescriptor? Find(DeviceClass deviceClass, string name) =>
        _all.FirstOrDefault(d => d.DeviceClass == deviceClass && string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The names <c>Kiosk:Devices:&lt;Class&gt;</c> accepts here, real drivers first, then <see cref="None"/>.</summary>
    public IReadOnlyList<string> NamesFor(DeviceClass deviceClass, bool includeSimulators) =>
        [.. For(deviceClass).Where(d => includeSimulators || !d.IsSimulated).OrderBy(d => d.IsSimulated).Select(d => d.Name), None];
}
