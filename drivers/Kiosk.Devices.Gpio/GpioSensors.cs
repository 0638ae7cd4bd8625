using System.Device.Gpio;
using System.Device.I2c;

namespace Kiosk.Devices.Gpio;

/// <summary>
/// Call button, door and tamper switches and PIR presence on GPIO inputs, debounced on the time
/// provider, plus the enclosure climate from an SHT4x over I2C. <see cref="Changed"/> is raised on every
/// debounced change, on the thread that settled it. The call button latches: a press reads as pressed
/// until the next successful read, so a short press between reads is not lost.
/// Climate failures never fail a read (door and call button matter more): a CRC mismatch or a bus
/// error gives null temperature/humidity and names the problem in <see cref="DeviceResult{T}.DeviceError"/>.
/// Thread safety: as <see cref="IDevice"/>.
/// </summary>
public sealed class GpioSensors : DeviceBase, ISensors
{
    /// <summary>A read takes one SHT4x measurement (about 9 ms); this only bounds a bus that hangs.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly GpioController _controller;
    private readonly I2cDevice? _climateDevice;
    private readonly bool _shouldDispose;
    private readonly GpioSensorsOptions _options;
    private readonly List<DebouncedInput> _inputs = [];
    private readonly List<int> _openedPins = [];
    private readonly Lock _gate = new();
    private EnclosureClimate? _climate;
    private DebouncedInput? _callButton;
    private DebouncedInput? _door;
    private DebouncedInput? _tamper;
    private DebouncedInput? _presence;
    private bool _callLatched;
    private (double? Celsius, double? Percent) _lastClimate;
    private volatile bool _open;

    /// <param name="name">Configured device name.</param>
    /// <param name="controller">The GPIO controller the inputs belong to.</param>
    /// <param name="options">Pins and debounce time; validated here.</param>
    /// <param name="timeProvider">Clock of the debounce window and the read timeout.</param>
    /// <param name="climateSensor">The SHT4x at 0x44, or null when the enclosure has none.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="controller"/> and <paramref name="climateSensor"/> with the device; false for shared ones (only this device's pins are closed).</param>
    public GpioSensors(string name, GpioController controller, GpioSensorsOptions options, TimeProvider timeProvider, I2cDevice? climateSensor = null, bool shouldDispose = true)
        : base(name, DeviceClass.Sensors, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problems)
        {
            throw new ArgumentException($"Sensors '{name}': {problems}.", nameof(options));
        }

        _controller = controller;
        _climateDevice = climateSensor;
        _shouldDispose = shouldDispose;
        _options = options;
        List<string> features = ["presence", "door", "callButton"];
        if (options.TamperPin is not null)
        {
            features.Add("tamper");
        }

        if (climateSensor is not null)
        {
            features.AddRange(["temperature", "humidity"]);
        }

        Capabilities = new DeviceCapabilities { Model = climateSensor is null ? "GPIO sensors" : "GPIO sensors + SHT4x", Features = features };
    }

    public event EventHandler<SensorSnapshot>? Changed;

    public override DeviceCapabilities Capabilities { get; }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        if (_open)
        {
            return Task.FromResult(DeviceResult<Done>.Success(default));
        }

        try
        {
            _callButton = Input(_options.CallButtonPin, PinMode.InputPullUp, PinValue.Low);
            _door = Input(_options.DoorPin, PinMode.InputPullUp, PinValue.High);
            _tamper = _options.TamperPin is { } tamper ? Input(tamper, PinMode.InputPullUp, PinValue.High) : null;
            _presence = Input(_options.PresencePin, PinMode.Input, PinValue.High);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            CloseInputs();
            SetStatus(DeviceStatus.HardwareError, ex.Message);
            return Task.FromResult(DeviceResult<Done>.Failure(CompletionCode.HardwareError, $"{Name}: cannot open the sensors: {ex.Message}"));
        }

        _open = true;
        SetStatus(DeviceStatus.Online, "opened");
        return Task.FromResult(DeviceResult<Done>.Success(default));
    }

    public Task<DeviceResult<SensorSnapshot>> ReadAsync(CancellationToken cancellationToken) =>
        RunSharedAsync(ReadTimeout, ReadCoreAsync, cancellationToken);

    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open");
        }

        if (level == HealthCheckLevel.Internal)
        {
            return DeviceResult<Done>.Success(default);
        }

        // External and interactive: the pins answer and the climate sensor gives a reading with a good CRC.
        _inputs.ForEach(i => i.Sample());
        var climate = await MeasureAsync(cancellationToken).ConfigureAwait(false);
        return climate.Error is null
            ? DeviceResult<Done>.Success(default)
            : DeviceResult<Done>.Failure(CompletionCode.HardwareError, $"{Name}: enclosure climate sensor: {climate.Error}", climate.Error);
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        _open = false;
        CloseInputs();
        if (_shouldDispose)
        {
            // The binding disposes the I2C device it was given.
            if (_climate is not null)
            {
                _climate.Dispose();
            }
            else
            {
                _climateDevice?.Dispose();
            }

            _controller.Dispose();
        }

        await base.DisposeCoreAsync().ConfigureAwait(false);
    }

    private async Task<DeviceResult<SensorSnapshot>> ReadCoreAsync(CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return DeviceResult<SensorSnapshot>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open");
        }

        _inputs.ForEach(i => i.Sample());
        var (celsius, percent, error) = await MeasureAsync(cancellationToken).ConfigureAwait(false);
        SensorSnapshot snapshot;
        lock (_gate)
        {
            _lastClimate = (celsius, percent);
            snapshot = Snapshot();
            _callLatched = false;
        }

        SetStatus(DeviceStatus.Online, "read");
        var result = DeviceResult<SensorSnapshot>.Success(snapshot);
        return error is null ? result : result with { DeviceError = error, Description = $"ok; enclosure climate unavailable: {error}" };
    }

    private async Task<(double? Celsius, double? Percent, string? Error)> MeasureAsync(CancellationToken cancellationToken)
    {
        if (_climateDevice is null)
        {
            return (null, null, null);
        }

        try
        {
            // Created on first use, so that a sensor missing at start-up costs the climate, not the switches, and is retried.
            _climate ??= new EnclosureClimate(_climateDevice);
            var (celsius, percent) = await _climate.MeasureAsync(cancellationToken).ConfigureAwait(false);
            return (celsius, percent, celsius is null || percent is null ? "sht4x-crc" : null);
        }
        catch (IOException ex)
        {
            return (null, null, $"sht4x-i2c: {ex.Message}");
        }
    }

    private DebouncedInput Input(int pin, PinMode mode, PinValue activeLevel)
    {
        if (!_controller.IsPinOpen(pin))
        {
            _controller.OpenPin(pin, mode);
            _openedPins.Add(pin);
        }

        var input = new DebouncedInput(_controller, pin, activeLevel, TimeSpan.FromMilliseconds(_options.DebounceMilliseconds), TimeProvider, OnInputChanged);
        _inputs.Add(input);
        return input;
    }

    private void OnInputChanged(DebouncedInput input)
    {
        SensorSnapshot snapshot;
        lock (_gate)
        {
            if (ReferenceEquals(input, _callButton) && input.IsActive)
            {
                _callLatched = true;
            }

            snapshot = Snapshot();
        }

        Changed?.Invoke(this, snapshot);
    }

    private SensorSnapshot Snapshot() => new(
        _presence?.IsActive ?? false,
        _door?.IsActive ?? false,
        _tamper?.IsActive ?? false,
        _callLatched || (_callButton?.IsActive ?? false),
        _lastClimate.Celsius,
        _lastClimate.Percent);

    private void CloseInputs()
    {
        _inputs.ForEach(i => i.Dispose());
        _inputs.Clear();
        _openedPins.Where(_controller.IsPinOpen).ToList().ForEach(_controller.ClosePin);
        _openedPins.Clear();
    }
}
