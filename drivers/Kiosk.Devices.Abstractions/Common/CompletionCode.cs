namespace Kiosk.Devices;

/// <summary>
/// How a device operation ended. Every HAL operation ends with exactly one of these;
/// failures are values at the HAL boundary, never exceptions (XFS4IoT completion codes).
/// </summary>
public enum CompletionCode
{
    Success,
    Canceled,
    Timeout,
    DeviceNotReady,
    HardwareError,
    UserError,
    InvalidData,
    FraudAttempt,
    Unsupported,
    /// <summary>The device is claimed by another owner, or the caller's claim is not the current one.</summary>
    NotClaimed,
    /// <summary>The person did not do what the operation needs (no card, no face, no finger) within the time.</summary>
    NoMedia,
}
