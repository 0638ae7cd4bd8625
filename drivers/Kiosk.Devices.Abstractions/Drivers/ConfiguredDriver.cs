namespace Kiosk.Devices.Drivers;

/// <summary>
/// A driver with the settings this kiosk gives it (<see cref="DriverDescriptor.Configure"/>): checks them, builds the
/// device, and says where it is and what to do when it fails.
/// Thread safety: immutable; <see cref="Create"/> builds a new device each call.
/// </summary>
public abstract class ConfiguredDriver
{
    protected ConfiguredDriver(DriverDescriptor descriptor)
    {
        Descriptor = descriptor;
    }

    public DriverDescriptor Descriptor { get; }

    /// <summary>Every problem with the settings, each naming its key and the fix; empty when the driver can be built.</summary>
    public abstract IReadOnlyList<string> Problems();

    /// <summary>Builds the device (not opened). Throws when the device cannot even be built (a node missing, no GPIO chip).</summary>
    public abstract IDevice Create(DriverContext context);

    /// <summary>The 1:1 face matcher that goes with this face camera; null for every other driver.</summary>
    public abstract IFaceMatcher? CreateFaceMatcher(DriverContext context);

    /// <summary>Where the device is, in the technician's words (a port, a path, a URL without credentials, pins).</summary>
    public abstract string Location { get; }

    /// <summary>The device nodes (<c>/dev/...</c>) the driver opens, for access rules and for telling a missing node apart.</summary>
    public abstract IReadOnlyList<string> DeviceNodes { get; }

    /// <summary>What a technician does when the device ended with <paramref name="code"/>.</summary>
    public abstract string Fix(CompletionCode code);
}
