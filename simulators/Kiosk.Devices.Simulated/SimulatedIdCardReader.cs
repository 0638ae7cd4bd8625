namespace Kiosk.Devices.Simulated;

/// <summary>
/// A resident ID card reader: <see cref="PresentCard"/> puts a card on it (see <see cref="SimulatedPeople"/>)
/// or takes it off. With no card a read ends with NoMedia after one operation delay rather than waiting out
/// its timeout. Faults: the common ones and WrongCard (a valid card of somebody else). Needs no test-data files.
/// </summary>
public sealed class SimulatedIdCardReader : DeviceBase, IIdCardReader
{
    private readonly SimulationOptions _options;
    private readonly FaultPlayer _player;
    private volatile IdCardData? _card;
    private volatile bool _open;

    public SimulatedIdCardReader(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.IdCardReader, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.IdCardReader, options.Seed, "ga467", "photo=wlt-placeholder");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>Puts a card on the reader; null takes it off.</summary>
    public void PresentCard(IdCardData? card) => _card = card;

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(loadFailure: null);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<IdCardData>> ReadCardAsync(DeviceClaim claim, IdCardReadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ReadAsync, cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<IdCardData>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_open)
        {
            return _player.NotOpen<IdCardData>();
        }

        var fault = Faults.Take();
        var failure = await _player.PlayAsync<IdCardData>(fault, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var card = _card;
        if (fault == SimulatedFault.WrongCard)
        {
            return DeviceResult<IdCardData>.Success(SomebodyElse(card));
        }

        return card is null
            ? DeviceResult<IdCardData>.Failure(CompletionCode.NoMedia, "no card on the reader")
            : DeviceResult<IdCardData>.Success(card);
    }

    private IdCardData SomebodyElse(IdCardData? presented)
    {
        // Strangers come from a seed of their own, so they differ from the people a test generates with the same seed.
        foreach (var person in SimulatedPeople.Generate(unchecked(_options.Seed + 7919), 4))
        {
            if (presented is null || person.Card.IdNumber != presented.IdNumber)
            {
                return person.Card;
            }
        }

        throw new InvalidOperationException("four generated people share one ID number");
    }
}
