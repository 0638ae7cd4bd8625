namespace Kiosk.Devices.Simulated;

/// <summary>
/// Presence, door, tamper and operator-call sensors driven by the test or demo through the setters, each of
/// which raises <see cref="Changed"/>. The call button latches: it reads pressed until the next successful read.
/// Temperature and humidity are fixed values drawn from the seed. Reads need no claim. Faults: the common ones.
/// </summary>
public sealed class SimulatedSensors : DeviceBase, ISensors
{
    /// <summary>Reading sensors has no timeout in the contract; a real board answers well within this.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly FaultPlayer _player;
    private readonly Lock _gate = new();
    private readonly double _temperature;
    private readonly double _humidity;
    private bool _presence;
    private bool _doorOpen;
    private bool _tamper;
    private bool _callButton;
    private volatile bool _open;

    public SimulatedSensors(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.Sensors, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        var random = new SeededRandom(options.Seed, "enclosure-climate");
        _temperature = Math.Round(random.Between(22, 30), 1);
        _humidity = Math.Round(random.Between(35, 55), 1);
        Capabilities = SimulatedCapabilities.For(DeviceClass.Sensors, options.Seed, "presence", "door", "tamper", "callButton", "temperature", "humidity");
    }

    public event EventHandler<SensorSnapshot>? Changed;

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    public void SetPresence(bool detected) => Update(() => _presence = detected);

    /// <summary>Presses the operator-call button; it reads pressed until the next successful read.</summary>
    public void PressCallButton() => Update(() => _callButton = true);

    public void SetDoor(bool open) => Update(() => _doorOpen = open);

    public void SetTamper(bool triggered) => Update(() => _tamper = triggered);

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(loadFailure: null);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<SensorSnapshot>> ReadAsync(CancellationToken cancellationToken) =>
        RunSharedAsync(ReadTimeout, ReadCoreAsync, cancellationToken);

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<SensorSnapshot>> ReadCoreAsync(CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<SensorSnapshot>();
        }

        var failure = await _player.PlayAsync<SensorSnapshot>(Faults.Take(), cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        lock (_gate)
        {
            var snapshot = Snapshot();
            _callButton = false;
            return DeviceResult<SensorSnapshot>.Success(snapshot);
        }
    }

    private void Update(Action change)
    {
        SensorSnapshot snapshot;
        lock (_gate)
        {
            change();
            snapshot = Snapshot();
        }

        Changed?.Invoke(this, snapshot);
    }

    private SensorSnapshot Snapshot() => new(_presence, _doorOpen, _tamper, _callButton, _temperature, _humidity);
}
