using System.Collections.Concurrent;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// LEDs and buzzer that light nothing but remember the last pattern set on each indicator
/// (<see cref="StateOf"/>). Faults: the common ones. Needs no test-data files.
/// </summary>
public sealed class SimulatedIndicators : DeviceBase, IIndicators
{
    /// <summary>Setting an indicator has no timeout in the contract; a real board answers well within this.</summary>
    public static readonly TimeSpan SetTimeout = TimeSpan.FromSeconds(5);

    private readonly FaultPlayer _player;
    private readonly ConcurrentDictionary<Indicator, IndicatorPattern> _states = new();
    private volatile bool _open;

    public SimulatedIndicators(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.Indicators, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.Indicators, options.Seed, "ready", "busy", "fault", "buzzer", "blink");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>The last pattern successfully set on <paramref name="indicator"/>; Off before any.</summary>
    public IndicatorPattern StateOf(Indicator indicator) => _states.GetValueOrDefault(indicator, IndicatorPattern.Off);

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(loadFailure: null);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<Done>> SetAsync(DeviceClaim claim, Indicator indicator, IndicatorPattern pattern, CancellationToken cancellationToken) =>
        RunClaimedAsync(claim, SetTimeout, ct => SetCoreAsync(indicator, pattern, ct), cancellationToken);

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<Done>> SetCoreAsync(Indicator indicator, IndicatorPattern pattern, CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<Done>();
        }

        var failure = await _player.PlayAsync<Done>(Faults.Take(), cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        _states[indicator] = pattern;
        return DeviceResult<Done>.Success(default);
    }
}
