using System.Device.Gpio;
using System.Device.I2c;
using System.Globalization;
using Kiosk.Devices.Drivers;

namespace Kiosk.Devices.Gpio;

/// <summary>
/// <c>Kiosk:Devices:Indicators=Gpio</c> (LEDs and buzzer, settings <c>Kiosk:Devices:GpioIndicators</c>) and
/// <c>Kiosk:Devices:Sensors=Gpio</c> (call button, door, tamper, presence: <c>Kiosk:Devices:GpioSensors</c>, plus the
/// enclosure's SHT4x on the I2C bus <c>Kiosk:Devices:ClimateSensorI2cBus</c>). Both share one controller for the board;
/// each closes only its own pins.
/// </summary>
public static class GpioDrivers
{
    /// <summary>The SHT4x's I2C address (its datasheet's default).</summary>
    private const int Sht4xAddress = 0x44;

    private const string SharedController = "gpio";

    public static DriverDescriptor Indicators { get; } = new Driver<GpioIndicatorsOptions>(DeviceClass.Indicators, "Gpio", ["GpioIndicators"])
    {
        Read = s => s.Bind<GpioIndicatorsOptions>("GpioIndicators"),
        Validate = o => o.Validate() is { } problem ? [problem] : [],
        Create = (o, context) => new GpioIndicators(context.DeviceName, Controller(context), o, context.TimeProvider, shouldDispose: false),
        Location = o => string.Create(CultureInfo.InvariantCulture, $"GPIO ready {o.ReadyPin}, busy {o.BusyPin}, fault {o.FaultPin}, buzzer {o.BuzzerPin}"),
        DeviceNodes = _ => ["/dev/gpiochip0"],
        Fix = (_, _) => Fix("GpioIndicators"),
    };

    public static DriverDescriptor Sensors { get; } = new Driver<SensorSettings>(DeviceClass.Sensors, "Gpio", ["GpioSensors"])
    {
        Read = s => new SensorSettings(s.Bind<GpioSensorsOptions>("GpioSensors"), ClimateBus(s)),
        Validate = s => s.Pins.Validate() is { } problem ? [problem] : [],
        Create = (s, context) => new GpioSensors(context.DeviceName, Controller(context), s.Pins, context.TimeProvider, s.ClimateBus is { } bus ? I2cDevice.Create(new I2cConnectionSettings(bus, Sht4xAddress)) : null, shouldDispose: false),
        Location = s => string.Create(CultureInfo.InvariantCulture,
            $"GPIO call {s.Pins.CallButtonPin}, door {s.Pins.DoorPin}, tamper {(s.Pins.TamperPin is { } t ? t.ToString(CultureInfo.InvariantCulture) : "none")}, presence {s.Pins.PresencePin}{(s.ClimateBus is { } bus ? $", SHT4x on I2C bus {bus}" : "")}"),
        DeviceNodes = s => s.ClimateBus is { } bus ? ["/dev/gpiochip0", $"/dev/i2c-{bus.ToString(CultureInfo.InvariantCulture)}"] : ["/dev/gpiochip0"],
        Fix = (_, _) => Fix("GpioSensors"),
    };

    private static GpioController Controller(DriverContext context) =>
        context.SharedResource(SharedController, () =>
        {
            try
            {
                return new GpioController();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                throw new IOException($"no GPIO controller: {ex.Message}", ex);
            }
        });

    /// <exception cref="InvalidOperationException">The value is not a whole number (the message names the key).</exception>
    private static int? ClimateBus(IDriverSettings settings) => settings.Value("ClimateSensorI2cBus") switch
    {
        null or "" => null,
        var text when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bus) => bus,
        var text => throw new InvalidOperationException($"Failed to convert configuration value '{text}' at 'Kiosk:Devices:ClimateSensorI2cBus' to type 'System.Int32'."),
    };

    private static string Fix(string section) =>
        $"check the GPIO chip is there ('kioskctl probe' lists GPIO chips), the pins in Kiosk:Devices:{section} match the wiring, and the kiosk's user may use /dev/gpiochip* (the 'gpio' group)";

    private sealed record SensorSettings(GpioSensorsOptions Pins, int? ClimateBus);
}
