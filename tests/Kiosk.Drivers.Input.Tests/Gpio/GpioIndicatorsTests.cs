using System.Device.Gpio;
using Kiosk.Devices;
using Kiosk.Devices.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.Input.Tests.Gpio;

public sealed class GpioIndicatorsTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(125);
    private readonly GpioIndicatorsOptions _options = new();
    private FakeTimeProvider _time = null!;
    private SimulatedGpioDriver _driver = null!;
    private GpioController _controller = null!;

    [SetUp]
    public void CreateBoard()
    {
        _time = new FakeTimeProvider();
        _driver = new SimulatedGpioDriver();
        _controller = new GpioController(_driver);
    }

    [TearDown]
    public void DisposeBoard()
    {
        _controller.Dispose();
        _driver.Dispose();
    }

    [Test]
    public async Task Slow_blink_toggles_the_pin_every_half_second_of_fake_time()
    {
        await using var indicators = await OpenAsync();
        await SetAsync(indicators, Indicator.Ready, IndicatorPattern.SlowBlink);

        var levels = Sample(_options.ReadyPin, TimeSpan.FromSeconds(3), Tick);

        var changes = Enumerable.Range(1, levels.Count - 1).Where(i => levels[i] != levels[i - 1]).ToList();
        Assert.That(changes, Has.Count.EqualTo(6), "six toggles in three seconds");
        Assert.That(changes.Zip(changes.Skip(1), (a, b) => b - a), Has.All.EqualTo(4), "every 4 ticks of 125 ms");
    }

    [Test]
    public async Task Fast_blink_toggles_every_tick_and_stops_when_set_steady()
    {
        await using var indicators = await OpenAsync();
        await SetAsync(indicators, Indicator.Buzzer, IndicatorPattern.FastBlink);

        var levels = Sample(_options.BuzzerPin, TimeSpan.FromSeconds(1), Tick);
        Assert.That(levels.Zip(levels.Skip(1), (a, b) => a != b), Has.All.True, "toggles at 4 Hz");

        await SetAsync(indicators, Indicator.Buzzer, IndicatorPattern.Off);
        Assert.That(Sample(_options.BuzzerPin, TimeSpan.FromSeconds(1), Tick), Has.All.EqualTo(PinValue.Low));
    }

    [Test]
    public async Task Indicators_blinking_at_the_same_rate_stay_in_phase()
    {
        await using var indicators = await OpenAsync();
        await SetAsync(indicators, Indicator.Ready, IndicatorPattern.SlowBlink);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        await SetAsync(indicators, Indicator.Fault, IndicatorPattern.SlowBlink);

        for (var i = 0; i < 20; i++)
        {
            _time.Advance(Tick);
            Assert.That(_driver.Level(_options.FaultPin), Is.EqualTo(_driver.Level(_options.ReadyPin)), $"tick {i}");
        }
    }

    [Test]
    public async Task On_and_off_follow_the_configured_polarity([Values] bool activeLow)
    {
        _options.ActiveLow = activeLow;
        await using var indicators = await OpenAsync();
        var on = activeLow ? PinValue.Low : PinValue.High;
        Assert.That(_driver.Level(_options.FaultPin), Is.Not.EqualTo(on), "off after open");

        await SetAsync(indicators, Indicator.Fault, IndicatorPattern.On);
        Assert.That(Sample(_options.FaultPin, TimeSpan.FromSeconds(2), Tick), Has.All.EqualTo(on));
    }

    [Test]
    public async Task A_new_pattern_is_written_on_the_next_tick_not_before()
    {
        await using var indicators = await OpenAsync();
        using var claim = (await indicators.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;

        var setting = indicators.SetAsync(claim, Indicator.Busy, IndicatorPattern.On, CancellationToken.None);
        Assert.That(_driver.Level(_options.BusyPin), Is.EqualTo(PinValue.Low));
        _time.Advance(Tick);

        Assert.That((await setting).Code, Is.EqualTo(CompletionCode.Success));
        Assert.That(_driver.Level(_options.BusyPin), Is.EqualTo(PinValue.High));
    }

    [Test]
    public async Task A_failing_write_is_a_hardware_error_and_the_next_set_recovers()
    {
        await using var indicators = await OpenAsync();
        _driver.FailNextWrite = new IOException("gpiochip0: Input/output error");

        var failed = await SetAsync(indicators, Indicator.Ready, IndicatorPattern.On);
        Assert.That(failed.Code, Is.EqualTo(CompletionCode.HardwareError));
        Assert.That(indicators.Status, Is.EqualTo(DeviceStatus.HardwareError));

        var retried = await SetAsync(indicators, Indicator.Ready, IndicatorPattern.On);
        Assert.That(retried.Code, Is.EqualTo(CompletionCode.Success));
        Assert.That(indicators.Status, Is.EqualTo(DeviceStatus.Online));
        Assert.That(_driver.Level(_options.ReadyPin), Is.EqualTo(PinValue.High));
    }

    [Test]
    public async Task Closing_with_a_shared_controller_switches_off_and_closes_only_its_pins()
    {
        _controller.OpenPin(40, PinMode.Output);
        var indicators = await OpenAsync(shouldDispose: false);
        await SetAsync(indicators, Indicator.Buzzer, IndicatorPattern.On);

        await indicators.DisposeAsync();

        Assert.That(_driver.Level(_options.BuzzerPin), Is.EqualTo(PinValue.Low));
        Assert.That(_driver.IsOpen(_options.BuzzerPin), Is.False);
        Assert.That(_controller.IsPinOpen(40), Is.True, "the shared controller stays usable");
    }

    [Test]
    public void Bad_options_are_refused_with_every_problem_named()
    {
        var options = new GpioIndicatorsOptions { BusyPin = 5, SlowBlinkPeriod = TimeSpan.FromMilliseconds(300) };

        var error = Assert.Throws<ArgumentException>(() => _ = new GpioIndicators("lights", _controller, options, _time, shouldDispose: false));

        Assert.That(error!.Message, Does.Contain("four different pins").And.Contain("SlowBlinkPeriod"));
    }

    private async Task<GpioIndicators> OpenAsync(bool shouldDispose = false)
    {
        var indicators = new GpioIndicators("indicators", _controller, _options, _time, shouldDispose);
        Assert.That((await indicators.OpenAsync(CancellationToken.None)).IsSuccess, Is.True);
        return indicators;
    }

    private async Task<DeviceResult<Done>> SetAsync(GpioIndicators indicators, Indicator indicator, IndicatorPattern pattern)
    {
        using var claim = (await indicators.ClaimAsync("test", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var setting = indicators.SetAsync(claim, indicator, pattern, CancellationToken.None);
        _time.Advance(Tick);
        Assert.That(setting.IsCompleted, Is.True, "applied on the next tick");
        return await setting;
    }

    private List<PinValue> Sample(int pin, TimeSpan duration, TimeSpan step)
    {
        var levels = new List<PinValue> { _driver.Level(pin) };
        for (var t = TimeSpan.Zero; t < duration; t += step)
        {
            _time.Advance(step);
            levels.Add(_driver.Level(pin));
        }

        return levels;
    }
}
