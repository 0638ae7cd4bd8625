namespace Kiosk.Devices.Gpio;

/// <summary>
/// Pins of the kiosk's sensors, in the controller's numbering (BCM GPIO numbers on a Raspberry Pi).
/// Switches are wired between the pin and ground with the internal pull-up enabled (see README).
/// </summary>
public sealed class GpioSensorsOptions
{
    /// <summary>"Call staff" push button, pressed = Low. Default GPIO 17.</summary>
    public int CallButtonPin { get; set; } = 17;

    /// <summary>Door reed switch, closed (Low) while the door is shut. Default GPIO 27.</summary>
    public int DoorPin { get; set; } = 27;

    /// <summary>Tamper switch, normally closed (Low) while the enclosure is intact; null when none is fitted. Default GPIO 22.</summary>
    public int? TamperPin { get; set; } = 22;

    /// <summary>PIR presence sensor output, High while someone is in front of the kiosk. Default GPIO 23.</summary>
    public int PresencePin { get; set; } = 23;

    /// <summary>A switch must hold a level this long before it counts. Default 50 ms, range 1 to 1000 ms.</summary>
    public int DebounceMilliseconds { get; set; } = 50;

    /// <summary>All configuration errors in one message, or null when the options are usable.</summary>
    public string? Validate()
    {
        var errors = new List<string>();
        var pins = new List<int> { CallButtonPin, DoorPin, PresencePin };
        if (TamperPin is { } tamper)
        {
            pins.Add(tamper);
        }

        if (pins.Any(p => p < 0))
        {
            errors.Add("pin numbers must not be negative");
        }

        if (pins.Distinct().Count() != pins.Count)
        {
            errors.Add($"{nameof(CallButtonPin)}, {nameof(DoorPin)}, {nameof(TamperPin)} and {nameof(PresencePin)} must be different pins");
        }

        if (DebounceMilliseconds is < 1 or > 1000)
        {
            errors.Add($"{nameof(DebounceMilliseconds)} is {DebounceMilliseconds}; use 1 to 1000");
        }

        return errors.Count == 0 ? null : string.Join("; ", errors);
    }
}
