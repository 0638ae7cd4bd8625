using System.Device.Gpio;
using Kiosk.Devices;
using Kiosk.Devices.Gpio;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.Input.Tests.Gpio;

public sealed class GpioSensorsTests
{
    private readonly GpioSensorsOptions _options = new();
    private readonly List<SensorSnapshot> _changes = [];
    private FakeTimeProvider _time = null!;
    private SimulatedGpioDriver _driver = null!;
    private GpioController _controller = null!;
    private SimulatedSht4x _climate = null!;

    [SetUp]
    public void CreateBoard()
    {
        _changes.Clear();
        _time = new FakeTimeProvider();
        _driver = new SimulatedGpioDriver();
        _controller = new GpioController(_driver);
        _climate = new SimulatedSht4x();
    }

    [TearDown]
    public void DisposeBoard()
    {
        _controller.Dispose();
        _driver.Dispose();
        _climate.Dispose();
    }

    [Test]
    public async Task A_bouncing_button_press_is_one_press_after_the_debounce_window()
    {
        await using var sensors = await OpenAsync();

        // Contact bounce: five edges 3 ms apart, ending pressed (Low).
        foreach (var level in new[] { PinValue.Low, PinValue.High, PinValue.Low, PinValue.High, PinValue.Low })
        {
            _driver.Drive(_options.CallButtonPin, level);
            _time.Advance(TimeSpan.FromMilliseconds(3));
        }

        _time.Advance(TimeSpan.FromMilliseconds(_options.DebounceMilliseconds - 4));
        Assert.That(_changes, Is.Empty, "still inside the debounce window of the last edge");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(_changes, Has.Count.EqualTo(1));
        Assert.That(_changes[0].CallButtonPressed, Is.True);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(_changes, Has.Count.EqualTo(1), "no further change while held");
    }

    [Test]
    public async Task A_glitch_shorter_than_the_debounce_time_is_ignored()
    {
        _driver.Drive(_options.DoorPin, PinValue.Low); // door shut
        await using var sensors = await OpenAsync();

        _driver.Drive(_options.DoorPin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(10));
        _driver.Drive(_options.DoorPin, PinValue.Low);
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(_changes, Is.Empty);
    }

    [Test]
    public async Task A_short_press_between_reads_is_latched_until_the_next_read()
    {
        await using var sensors = await OpenAsync();
        Press(PinValue.Low);
        Press(PinValue.High);

        Assert.That(_changes.Select(c => c.CallButtonPressed), Is.EqualTo(new[] { true, true }), "released, but the press has not been read yet");
        Assert.That((await ReadAsync(sensors)).Value!.CallButtonPressed, Is.True);
        Assert.That((await ReadAsync(sensors)).Value!.CallButtonPressed, Is.False);
    }

    [Test]
    public async Task Door_tamper_and_presence_follow_their_wiring()
    {
        _driver.Drive(_options.DoorPin, PinValue.Low); // door shut: reed switch closed to ground
        _driver.Drive(_options.TamperPin!.Value, PinValue.Low); // enclosure intact
        await using var sensors = await OpenAsync();
        var quiet = (await ReadAsync(sensors)).Value!;
        Assert.That((quiet.DoorOpen, quiet.TamperTriggered, quiet.PresenceDetected, quiet.CallButtonPressed), Is.EqualTo((false, false, false, false)));

        _driver.Drive(_options.DoorPin, PinValue.High);
        _driver.Drive(_options.TamperPin!.Value, PinValue.High);
        _driver.Drive(_options.PresencePin, PinValue.High);
        _time.Advance(TimeSpan.FromMilliseconds(_options.DebounceMilliseconds));

        Assert.That(_changes, Has.Count.EqualTo(3), "one Changed per debounced input");
        var busy = (await ReadAsync(sensors)).Value!;
        Assert.That((busy.DoorOpen, busy.TamperTriggered, busy.PresenceDetected), Is.EqualTo((true, true, true)));
    }

    [Test]
    public async Task The_enclosure_climate_comes_from_the_sht4x()
    {
        await using var sensors = await OpenAsync();

        var result = await ReadAsync(sensors);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(result.Value!.EnclosureTemperatureCelsius, Is.EqualTo(24.5).Within(0.01));
        Assert.That(result.Value!.EnclosureHumidityPercent, Is.EqualTo(41.2).Within(0.01));
        Assert.That(result.DeviceError, Is.Null);
        Assert.That(_climate.Resets, Is.EqualTo(1), "soft reset before the first measurement");
    }

    [Test]
    public async Task A_bad_crc_gives_no_climate_but_keeps_the_switches_readable()
    {
        _driver.Drive(_options.DoorPin, PinValue.High);
        await using var sensors = await OpenAsync();
        _climate.CorruptNextCrc = true;

        var result = await ReadAsync(sensors);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(result.Value!.EnclosureTemperatureCelsius, Is.Null);
        Assert.That(result.Value!.DoorOpen, Is.True);
        Assert.That(result.DeviceError, Is.EqualTo("sht4x-crc"));
        Assert.That((await sensors.CheckHealthAsync(HealthCheckLevel.External, CancellationToken.None)).Healthy, Is.True, "the next measurement is good");
    }

    [Test]
    public async Task A_sensor_that_does_not_acknowledge_gives_no_climate_and_fails_the_external_health_check()
    {
        await using var sensors = await OpenAsync();
        _climate.NoAcknowledge = true;

        var result = await ReadAsync(sensors);
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success));
        Assert.That((result.Value!.EnclosureTemperatureCelsius, result.Value!.EnclosureHumidityPercent), Is.EqualTo(((double?)null, (double?)null)));
        Assert.That(result.DeviceError, Does.StartWith("sht4x-i2c"));

        _climate.NoAcknowledge = true;
        Assert.That((await sensors.CheckHealthAsync(HealthCheckLevel.External, CancellationToken.None)).Healthy, Is.False);
    }

    [Test]
    public async Task A_climate_sensor_missing_at_start_up_costs_only_the_climate_and_is_retried()
    {
        _climate.NoAcknowledge = true; // the soft reset is not acknowledged
        _driver.Drive(_options.DoorPin, PinValue.High);
        await using var sensors = await OpenAsync();

        var first = await ReadAsync(sensors);
        var second = await ReadAsync(sensors);

        Assert.That((first.Code, first.Value!.DoorOpen, first.Value!.EnclosureTemperatureCelsius), Is.EqualTo((CompletionCode.Success, true, (double?)null)));
        Assert.That(first.DeviceError, Does.StartWith("sht4x-i2c"));
        Assert.That(second.Value!.EnclosureTemperatureCelsius, Is.EqualTo(24.5).Within(0.01));
    }

    [Test]
    public void The_simulated_sensor_crc_matches_the_datasheet_example() =>
        Assert.That(SimulatedSht4x.Crc8([0xBE, 0xEF]), Is.EqualTo(0x92)); // Sensirion datasheets: CRC(0xBEEF) = 0x92

    [Test]
    public async Task Closing_with_shared_transports_leaves_them_usable()
    {
        var sensors = await OpenAsync(shouldDispose: false);

        await sensors.DisposeAsync();

        Assert.That(_climate.Disposed, Is.False);
        Assert.That(_driver.IsOpen(_options.CallButtonPin), Is.False);
        Assert.That(_driver.CallbackCount(_options.CallButtonPin), Is.Zero);
        _controller.OpenPin(_options.CallButtonPin, PinMode.Input);
    }

    [Test]
    public void Bad_options_are_refused_with_every_problem_named()
    {
        var options = new GpioSensorsOptions { DoorPin = 17, DebounceMilliseconds = 0 };

        var error = Assert.Throws<ArgumentException>(() => _ = new GpioSensors("sensors", _controller, options, _time, shouldDispose: false));

        Assert.That(error!.Message, Does.Contain("different pins").And.Contain("DebounceMilliseconds"));
    }

    private void Press(PinValue level)
    {
        _driver.Drive(_options.CallButtonPin, level);
        _time.Advance(TimeSpan.FromMilliseconds(_options.DebounceMilliseconds));
    }

    private async Task<GpioSensors> OpenAsync(bool shouldDispose = false)
    {
        var sensors = new GpioSensors("sensors", _controller, _options, _time, _climate, shouldDispose);
        sensors.Changed += (_, s) => _changes.Add(s);
        Assert.That((await sensors.OpenAsync(CancellationToken.None)).IsSuccess, Is.True);
        return sensors;
    }

    /// <summary>The SHT4x binding waits its 9 ms measurement time on the real clock, so a read is awaited, bounded.</summary>
    private static Task<DeviceResult<SensorSnapshot>> ReadAsync(GpioSensors sensors) =>
        sensors.ReadAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
}
