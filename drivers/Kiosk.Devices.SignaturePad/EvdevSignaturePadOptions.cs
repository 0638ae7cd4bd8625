namespace Kiosk.Devices.SignaturePad;

/// <summary>
/// Configuration of a pen digitiser read through Linux evdev. The axis ranges and resolution are what
/// <c>evtest</c> prints for the device (the EVIOCGABS ioctl is not read); the minimum of every axis is taken as 0.
/// </summary>
public sealed class EvdevSignaturePadOptions
{
    /// <summary>The event node, e.g. /dev/input/by-id/usb-…-event-stylus. Default "/dev/input/event0".</summary>
    public string DevicePath { get; set; } = "/dev/input/event0";

    /// <summary>ABS_X maximum in device units. Default 10000.</summary>
    public int MaxX { get; set; } = 10000;

    /// <summary>ABS_Y maximum in device units. Default 6000.</summary>
    public int MaxY { get; set; } = 6000;

    /// <summary>ABS_PRESSURE maximum. Default 1023.</summary>
    public int MaxPressure { get; set; } = 1023;

    /// <summary>Resolution of X and Y in units per millimetre (the evdev "resolution" of the axes). Default 100.</summary>
    public int UnitsPerMillimetre { get; set; } = 100;

    /// <summary>How long the pen stays up before the signature counts as finished. Default 2 s, range 0.2 to 30 s.</summary>
    public TimeSpan PenUpIdleTime { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Width of the rendered PNG in pixels; the height follows the pad's aspect ratio. Default 800, range 16 to 4096.</summary>
    public int RenderWidth { get; set; } = 800;

    /// <summary>All configuration errors in one message, or null when the options are usable.</summary>
    public string? Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(DevicePath))
        {
            errors.Add($"{nameof(DevicePath)} is empty; set it to the pad's /dev/input/event node");
        }

        Positive(errors, nameof(MaxX), MaxX);
        Positive(errors, nameof(MaxY), MaxY);
        Positive(errors, nameof(MaxPressure), MaxPressure);
        Positive(errors, nameof(UnitsPerMillimetre), UnitsPerMillimetre);
        if (PenUpIdleTime < TimeSpan.FromMilliseconds(200) || PenUpIdleTime > TimeSpan.FromSeconds(30))
        {
            errors.Add($"{nameof(PenUpIdleTime)} is {PenUpIdleTime}; use 0.2 to 30 seconds");
        }

        if (RenderWidth is < 16 or > 4096)
        {
            errors.Add($"{nameof(RenderWidth)} is {RenderWidth}; use 16 to 4096 pixels");
        }

        return errors.Count == 0 ? null : string.Join("; ", errors);
    }

    private static void Positive(List<string> errors, string name, int value)
    {
        if (value <= 0)
        {
            errors.Add($"{name} is {value}; it must be positive (see evtest for the device's range)");
        }
    }
}
