namespace Kiosk.Devices.Gpio;

/// <summary>
/// Pins of the status LEDs and the buzzer, in the controller's numbering (BCM GPIO numbers on a
/// Raspberry Pi), and the blink timing. Every pin is an output driving an LED or an active buzzer through a transistor.
/// </summary>
public sealed class GpioIndicatorsOptions
{
    /// <summary>Green "ready" LED. Default GPIO 5.</summary>
    public int ReadyPin { get; set; } = 5;

    /// <summary>Amber "busy" LED. Default GPIO 6.</summary>
    public int BusyPin { get; set; } = 6;

    /// <summary>Red "fault" LED. Default GPIO 13.</summary>
    public int FaultPin { get; set; } = 13;

    /// <summary>Active buzzer (sounds while the pin is active). Default GPIO 19.</summary>
    public int BuzzerPin { get; set; } = 19;

    /// <summary>True when the outputs sink current (active = Low). Default false: active = High.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>Full on-off period of FastBlink. Default 250 ms (4 Hz), range 50 ms to 2 s.</summary>
    public TimeSpan FastBlinkPeriod { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Full on-off period of SlowBlink; a whole multiple of <see cref="FastBlinkPeriod"/>. Default 1 s (1 Hz).</summary>
    public TimeSpan SlowBlinkPeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>All configuration errors in one message, or null when the options are usable.</summary>
    public string? Validate()
    {
        var errors = new List<string>();
        int[] pins = [ReadyPin, BusyPin, FaultPin, BuzzerPin];
        if (pins.Any(p => p < 0))
        {
            errors.Add("pin numbers must not be negative");
        }

        if (pins.Distinct().Count() != pins.Length)
        {
            errors.Add($"{nameof(ReadyPin)}, {nameof(BusyPin)}, {nameof(FaultPin)} and {nameof(BuzzerPin)} must be four different pins");
        }

        if (FastBlinkPeriod < TimeSpan.FromMilliseconds(50) || FastBlinkPeriod > TimeSpan.FromSeconds(2))
        {
            errors.Add($"{nameof(FastBlinkPeriod)} is {FastBlinkPeriod}; use 50 ms to 2 s");
        }
        else if (SlowBlinkPeriod < FastBlinkPeriod || SlowBlinkPeriod.Ticks % FastBlinkPeriod.Ticks != 0)
        {
            errors.Add($"{nameof(SlowBlinkPeriod)} is {SlowBlinkPeriod}; make it a whole multiple of {nameof(FastBlinkPeriod)} ({FastBlinkPeriod})");
        }

        return errors.Count == 0 ? null : string.Join("; ", errors);
    }
}
