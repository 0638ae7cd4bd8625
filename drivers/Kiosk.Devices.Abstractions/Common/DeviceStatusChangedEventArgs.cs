namespace Kiosk.Devices;

/// <summary>A status change; carries only what changed (the new status and why).</summary>
public sealed class DeviceStatusChangedEventArgs(string deviceName, DeviceStatus previous, DeviceStatus current, string reason) : EventArgs
{
    public string DeviceName { get; } = deviceName;
    public DeviceStatus Previous { get; } = previous;
    public DeviceStatus Current { get; } = current;
    public string Reason { get; } = reason;
}
