using System.Device.Gpio;

namespace Kiosk.Devices.Gpio;

/// <summary>
/// Status LEDs and buzzer on GPIO outputs. One clock, ticking every half FastBlink period while anything
/// blinks or a change waits, drives all outputs, so blinking indicators stay in phase; a new pattern takes
/// effect on the next tick and <see cref="SetAsync"/> completes when it has been written to the pin.
/// Thread safety: as <see cref="IDevice"/>.
/// </summary>
public sealed class GpioIndicators : DeviceBase, IIndicators
{
    /// <summary>A pin write is quick; this only bounds a controller that hangs.</summary>
    public static readonly TimeSpan SetTimeout = TimeSpan.FromSeconds(5);

    private readonly GpioController _controller;
    private readonly bool _shouldDispose;
    private readonly GpioIndicatorsOptions _options;
    private readonly Dictionary<Indicator, int> _pins;
    private readonly Dictionary<Indicator, IndicatorPattern> _patterns = [];
    private readonly Dictionary<Indicator, bool> _written = [];
    private readonly List<PendingChange> _pending = [];
    private readonly TimeSpan _tickPeriod;
    private readonly long _slowHalfTicks;
    private readonly Lock _gate = new();
    private ITimer? _clock;
    private bool _clockRunning;
    private long _tick;
    private volatile bool _open;

    /// <param name="name">Configured device name.</param>
    /// <param name="controller">The GPIO controller the pins belong to.</param>
    /// <param name="options">Pins and timing; validated here.</param>
    /// <param name="timeProvider">Clock of the blinking.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="controller"/> with the device; false for a shared controller (only this device's pins are closed).</param>
    public GpioIndicators(string name, GpioController controller, GpioIndicatorsOptions options, TimeProvider timeProvider, bool shouldDispose = true)
        : base(name, DeviceClass.Indicators, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(controller);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } problems)
        {
            throw new ArgumentException($"Indicators '{name}': {problems}.", nameof(options));
        }

        _controller = controller;
        _shouldDispose = shouldDispose;
        _options = options;
        _pins = new()
        {
            [Indicator.Ready] = options.ReadyPin,
            [Indicator.Busy] = options.BusyPin,
            [Indicator.Fault] = options.FaultPin,
            [Indicator.Buzzer] = options.BuzzerPin,
        };
        _tickPeriod = options.FastBlinkPeriod / 2;
        _slowHalfTicks = options.SlowBlinkPeriod.Ticks / 2 / _tickPeriod.Ticks;
        Capabilities = new DeviceCapabilities { Model = "GPIO indicators", Features = ["ready", "busy", "fault", "buzzer", "blink"] };
    }

    public override DeviceCapabilities Capabilities { get; }

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = new List<int>();
        try
        {
            foreach (var (indicator, pin) in _pins)
            {
                if (!_controller.IsPinOpen(pin))
                {
                    _controller.OpenPin(pin, PinMode.Output, Level(false));
                    opened.Add(pin);
                }

                _controller.Write(pin, Level(false));
                _written[indicator] = false;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or ArgumentException)
        {
            opened.ForEach(_controller.ClosePin);
            SetStatus(DeviceStatus.HardwareError, ex.Message);
            return Task.FromResult(DeviceResult<Done>.Failure(CompletionCode.HardwareError, $"{Name}: cannot open the indicator pins: {ex.Message}"));
        }

        lock (_gate)
        {
            _clock ??= TimeProvider.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        _open = true;
        SetStatus(DeviceStatus.Online, "opened");
        return Task.FromResult(DeviceResult<Done>.Success(default));
    }

    public Task<DeviceResult<Done>> SetAsync(DeviceClaim claim, Indicator indicator, IndicatorPattern pattern, CancellationToken cancellationToken) =>
        RunClaimedAsync(claim, SetTimeout, ct => SetCoreAsync(indicator, pattern, ct), cancellationToken);

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        Task.FromResult(_open ? DeviceResult<Done>.Success(default) : DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open"));

    protected override async ValueTask DisposeCoreAsync()
    {
        _open = false;
        List<PendingChange> abandoned;
        lock (_gate)
        {
            _clock?.Dispose();
            _clockRunning = false;
            abandoned = [.. _pending];
            _pending.Clear();
        }

        abandoned.ForEach(p => p.Completion.TrySetResult(DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name} closed")));
        foreach (var pin in _pins.Values.Where(_controller.IsPinOpen))
        {
            _controller.Write(pin, Level(false));
            _controller.ClosePin(pin);
        }

        if (_shouldDispose)
        {
            _controller.Dispose();
        }

        await base.DisposeCoreAsync().ConfigureAwait(false);
    }

    private async Task<DeviceResult<Done>> SetCoreAsync(Indicator indicator, IndicatorPattern pattern, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"{Name} is not open");
        }

        if (!_pins.ContainsKey(indicator))
        {
            return DeviceResult<Done>.Failure(CompletionCode.Unsupported, $"{Name} has no {indicator}");
        }

        var change = new PendingChange(indicator, pattern, new TaskCompletionSource<DeviceResult<Done>>());
        lock (_gate)
        {
            _pending.Add(change);
            StartClock();
        }

        try
        {
            return await change.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                _pending.Remove(change);
            }

            throw;
        }
    }

    private void StartClock()
    {
        if (!_clockRunning && _clock is not null)
        {
            _clockRunning = true;
            _clock.Change(_tickPeriod, _tickPeriod);
        }
    }

    private void Tick()
    {
        List<PendingChange> applied;
        Exception? failure = null;
        lock (_gate)
        {
            if (!_clockRunning)
            {
                return;
            }

            _tick++;
            applied = [.. _pending];
            _pending.Clear();
            applied.ForEach(p => _patterns[p.Indicator] = p.Pattern);
            try
            {
                foreach (var (indicator, pin) in _pins)
                {
                    var active = IsActive(_patterns.GetValueOrDefault(indicator));
                    if (_written.GetValueOrDefault(indicator) != active)
                    {
                        _controller.Write(pin, Level(active));
                        _written[indicator] = active;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                failure = ex;
            }

            if (!_patterns.Values.Any(p => p is IndicatorPattern.SlowBlink or IndicatorPattern.FastBlink))
            {
                _clockRunning = false;
                _clock?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }

        if (failure is not null)
        {
            SetStatus(DeviceStatus.HardwareError, failure.Message);
        }
        else if (applied.Count > 0)
        {
            SetStatus(DeviceStatus.Online, "indicator set");
        }

        var result = failure is null
            ? DeviceResult<Done>.Success(default)
            : DeviceResult<Done>.Failure(CompletionCode.HardwareError, $"{Name}: writing a pin failed: {failure.Message}", failure.GetType().Name);
        applied.ForEach(p => p.Completion.TrySetResult(result));
    }

    private bool IsActive(IndicatorPattern pattern) => pattern switch
    {
        IndicatorPattern.On => true,
        IndicatorPattern.FastBlink => _tick % 2 == 1,
        IndicatorPattern.SlowBlink => _tick / _slowHalfTicks % 2 == 1,
        _ => false,
    };

    private PinValue Level(bool active) => active != _options.ActiveLow ? PinValue.High : PinValue.Low;

    private sealed record PendingChange(Indicator Indicator, IndicatorPattern Pattern, TaskCompletionSource<DeviceResult<Done>> Completion);
}
