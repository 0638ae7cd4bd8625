namespace Kiosk.Devices;

/// <summary>Presence, door/tamper and the operator-call button. Reading needs no claim: sensors are shared.</summary>
public interface ISensors : IDevice
{
    Task<DeviceResult<SensorSnapshot>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Raised when any sensor changes; carries the new snapshot.</summary>
    event EventHandler<SensorSnapshot>? Changed;
}

public sealed record SensorSnapshot(bool PresenceDetected, bool DoorOpen, bool TamperTriggered, bool CallButtonPressed, double? EnclosureTemperatureCelsius, double? EnclosureHumidityPercent);
