namespace Kiosk.Devices;

/// <summary>Status LEDs and buzzer. Setting an indicator does not need a person, so it is quick and idempotent.</summary>
public interface IIndicators : IDevice
{
    Task<DeviceResult<Done>> SetAsync(DeviceClaim claim, Indicator indicator, IndicatorPattern pattern, CancellationToken cancellationToken);
}

public enum Indicator
{
    Ready,
    Busy,
    Fault,
    Buzzer,
}

public enum IndicatorPattern
{
    Off,
    On,
    SlowBlink,
    FastBlink,
}
