namespace Kiosk.Devices;

/// <summary>UnifiedPOS CheckHealth levels.</summary>
public enum HealthCheckLevel
{
    /// <summary>Checks without touching the hardware beyond what is already open (no physical change).</summary>
    Internal,
    /// <summary>Exercises the hardware (grabs a frame, pings the module) without needing a person.</summary>
    External,
    /// <summary>Needs a technician in front of the device (present a card, press a finger).</summary>
    Interactive,
}

public sealed record HealthReport(string DeviceName, HealthCheckLevel Level, CompletionCode Code, DeviceStatus Status, string Description)
{
    public bool Healthy => Code == CompletionCode.Success;
}
