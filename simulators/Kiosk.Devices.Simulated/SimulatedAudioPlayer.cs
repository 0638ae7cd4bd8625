namespace Kiosk.Devices.Simulated;

/// <summary>
/// A speaker that plays nothing aloud: a named prompt takes one operation delay, raw WAV bytes take as long
/// as the clip lasts (on the injected clock). Remembers what it played last. Faults: the common ones
/// (GarbageData also stands for WAV bytes it cannot play). Needs no test-data files.
/// </summary>
public sealed class SimulatedAudioPlayer : DeviceBase, IAudioPlayer
{
    private readonly FaultPlayer _player;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _played = new();
    private volatile string? _lastPlayed;
    private volatile bool _open;

    public SimulatedAudioPlayer(string name, SimulationOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.AudioPlayer, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        _player = new FaultPlayer(name, options, timeProvider, SetStatus);
        Capabilities = SimulatedCapabilities.For(DeviceClass.AudioPlayer, options.Seed, "wav", "prompts");
    }

    public FaultScript Faults { get; } = new();

    public override DeviceCapabilities Capabilities { get; }

    /// <summary>The name of the last prompt played to the end, or null.</summary>
    public string? LastPlayed => _lastPlayed;

    /// <summary>The names of every prompt played to the end, in order.</summary>
    public IReadOnlyList<string> Played => [.. _played];

    public override Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var opened = _player.Open(loadFailure: null);
        _open = opened.IsSuccess;
        return Task.FromResult(opened);
    }

    public Task<DeviceResult<Done>> PlayAsync(DeviceClaim claim, AudioPrompt prompt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        return RunClaimedAsync(claim, prompt.Timeout, ct => PlayCoreAsync(prompt, ct), cancellationToken);
    }

    protected override Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        _player.CheckHealthAsync(_open, level, Faults, cancellationToken);

    private async Task<DeviceResult<Done>> PlayCoreAsync(AudioPrompt prompt, CancellationToken cancellationToken)
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

        if (!prompt.Wav.IsEmpty)
        {
            var clip = WavClip.TryParse(prompt.Wav.Span);
            if (clip is null)
            {
                return DeviceResult<Done>.Failure(CompletionCode.InvalidData, $"prompt '{prompt.Name}' is not 16-bit PCM WAV");
            }

            await _player.WaitAsync(clip.Duration, cancellationToken).ConfigureAwait(false);
        }

        _lastPlayed = prompt.Name;
        _played.Enqueue(prompt.Name);
        return DeviceResult<Done>.Success(default);
    }
}
