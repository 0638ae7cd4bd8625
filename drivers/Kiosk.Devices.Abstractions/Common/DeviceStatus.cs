namespace Kiosk.Devices;

/// <summary>The device state as the HAL reports it (XFS4IoT Common.Status.Device).</summary>
public enum DeviceStatus
{
    Starting,
    Online,
    Offline,
    NoDevice,
    HardwareError,
    UserError,
    Busy,
    FraudAttempt,
}
