using System.Device.Gpio;
using Kiosk.Devices;
using Kiosk.Devices.Gpio;
using Kiosk.Devices.Tests.Contracts;

namespace Kiosk.Drivers.Input.Tests.Gpio;

/// <summary>The indicators contract against <see cref="GpioIndicators"/> on a simulated GPIO chip; the pattern is observed on the pin.</summary>
[TestFixture]
#pragma warning disable CA1001 // The device under test owns the controller, and the controller disposes the driver.
public sealed class GpioIndicatorsContractTests : IndicatorsContract<GpioIndicators>
{
    private static readonly GpioIndicatorsOptions Options = new();
    private SimulatedGpioDriver _driver = null!;
#pragma warning restore CA1001

    protected override TimeSpan OperationTimeout => GpioIndicators.SetTimeout;

    /// <summary>Setting a pattern is a few pin writes: on a loaded machine it can finish before a cancellation signalled after it started (seen once in CI).</summary>
    protected override bool MayFinishBeforeCancellation => true;

    protected override GpioIndicators CreateDevice(TimeProvider timeProvider)
    {
        _driver = new SimulatedGpioDriver();
        return new GpioIndicators("indicators", new GpioController(_driver), Options, timeProvider, shouldDispose: true);
    }

    /// <summary>Watches the pin for two seconds of fake time: steady high or low, or how often it toggles.</summary>
    protected override IndicatorPattern? Observe(Indicator indicator)
    {
        var pin = indicator switch
        {
            Indicator.Ready => Options.ReadyPin,
            Indicator.Busy => Options.BusyPin,
            Indicator.Fault => Options.FaultPin,
            _ => Options.BuzzerPin,
        };
        var level = _driver.Level(pin);
        var toggles = 0;
        for (var i = 0; i < 16; i++)
        {
            Time.Advance(Options.FastBlinkPeriod / 2);
            toggles += _driver.Level(pin) != level ? 1 : 0;
            level = _driver.Level(pin);
        }

        return toggles switch
        {
            0 => level == PinValue.High ? IndicatorPattern.On : IndicatorPattern.Off,
            >= 12 => IndicatorPattern.FastBlink,
            _ => IndicatorPattern.SlowBlink,
        };
    }

    protected override bool ArrangeUnplugged() => false; // GPIO pins on the board cannot be unplugged

    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => false; // a pin write does not hang

    protected override bool ArrangeGarbage() => false; // nothing is read back

    protected override bool ArrangeHardwareError()
    {
        _driver.FailNextWrite = new IOException("gpiochip0: Input/output error");
        return true;
    }
}
