using System.Device.Gpio;
using Kiosk.Devices;
using Kiosk.Devices.Gpio;
using Kiosk.Devices.Tests.Contracts;

namespace Kiosk.Drivers.Input.Tests.Gpio;

/// <summary>The sensors contract against <see cref="GpioSensors"/> on a simulated GPIO chip and SHT4x.</summary>
[TestFixture]
#pragma warning disable CA1001 // The device under test owns the controller, and the controller disposes the driver.
public sealed class GpioSensorsContractTests : SensorsContract<GpioSensors>
{
    private static readonly GpioSensorsOptions Options = new();
    private SimulatedGpioDriver _driver = null!;
#pragma warning restore CA1001

    protected override TimeSpan OperationTimeout => GpioSensors.ReadTimeout;

    protected override GpioSensors CreateDevice(TimeProvider timeProvider)
    {
        _driver = new SimulatedGpioDriver();
        return new GpioSensors("sensors", new GpioController(_driver), Options, timeProvider, new SimulatedSht4x(), shouldDispose: true);
    }

    protected override bool ArrangePresence(bool detected)
    {
        _driver.Drive(Options.PresencePin, detected ? PinValue.High : PinValue.Low);
        Time.Advance(TimeSpan.FromMilliseconds(Options.DebounceMilliseconds));
        return true;
    }

    protected override bool ArrangeUnplugged() => false; // GPIO pins on the board cannot be unplugged

    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => false; // an I2C transfer fails, it does not hang

    // A bad SHT4x CRC is not InvalidData by design (the switches stay readable): see GpioSensorsTests.
    protected override bool ArrangeGarbage() => false;

    protected override bool ArrangeHardwareError()
    {
        _driver.FailNextRead = new IOException("gpiochip0: Input/output error");
        return true;
    }

    /// <summary>
    /// The SHT4x binding waits its measurement time (9 ms) on the real clock, so besides a step of fake
    /// time the read is awaited for real, bounded so that a hang still fails the test.
    /// </summary>
    protected override async Task<T> DriveAsync<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        Time.Advance(TimeSpan.FromMilliseconds(50));
        return await task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
