namespace Kiosk.Devices.Drivers;

/// <summary>
/// One driver of one device class, everything about it in one place: the value of <c>Kiosk:Devices:&lt;Class&gt;</c>
/// that selects it, the settings sections it reads, how its settings are checked, how it is built, where it is
/// (for <c>kioskctl probe</c>) and what a technician does when it fails. The agent, <c>kioskctl probe</c> and
/// <c>kioskctl config validate</c> all work from these descriptors, so they cannot disagree about a driver.
/// Each driver folder declares its own; hosts decide which are registered (the production host: real drivers only).
/// Thread safety: immutable.
/// </summary>
public abstract class DriverDescriptor
{
    protected DriverDescriptor(DeviceClass deviceClass, string name, IReadOnlyList<string> sections, bool isSimulated)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(sections);
        DeviceClass = deviceClass;
        Name = name;
        Sections = sections;
        IsSimulated = isSimulated;
    }

    public DeviceClass DeviceClass { get; }

    /// <summary>The value of <c>Kiosk:Devices:&lt;DeviceClass&gt;</c> that selects this driver (e.g. <c>Sam</c>).</summary>
    public string Name { get; }

    /// <summary>The sections under <c>Kiosk:Devices</c> its settings live in (e.g. <c>Sam</c>); the first is its own.</summary>
    public IReadOnlyList<string> Sections { get; }

    /// <summary>A simulator or stand-in, not hardware: refused by the production profile.</summary>
    public bool IsSimulated { get; }

    /// <summary>Reads this driver's settings; the result answers every question about this driver as configured.</summary>
    /// <exception cref="InvalidOperationException">A value does not convert to its option's type (the message names the key).</exception>
    public abstract ConfiguredDriver Configure(IDriverSettings settings);

    public override string ToString() => $"{DeviceClass}={Name}";
}
