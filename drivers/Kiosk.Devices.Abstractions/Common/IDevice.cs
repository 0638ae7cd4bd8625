namespace Kiosk.Devices;

/// <summary>
/// What every device of the HAL has in common.
/// Thread safety: all members may be called from any thread; operations on one device are
/// serialised by the device (a second concurrent operation gets <see cref="CompletionCode.DeviceNotReady"/>).
/// </summary>
public interface IDevice : IAsyncDisposable
{
    /// <summary>Configured name, unique on the kiosk (e.g. "faceCamera").</summary>
    string Name { get; }

    DeviceClass DeviceClass { get; }

    DeviceStatus Status { get; }

    DeviceCapabilities Capabilities { get; }

    /// <summary>Raised on every status change, with the previous and new status.</summary>
    event EventHandler<DeviceStatusChangedEventArgs>? StatusChanged;

    /// <summary>Opens the device; a device that cannot be opened reports why and stays usable for a later retry.</summary>
    Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken);

    Task<HealthReport> CheckHealthAsync(HealthCheckLevel level, CancellationToken cancellationToken);

    /// <summary>Claims the device for <paramref name="owner"/>; waits up to <paramref name="timeout"/> for another owner to release it.</summary>
    Task<DeviceResult<DeviceClaim>> ClaimAsync(string owner, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>The current owner, or null when the device is free.</summary>
    string? ClaimedBy { get; }
}
