namespace Kiosk.Devices.Simulated;

/// <summary>
/// Plays the part of a fault that every simulated device shares (unplugged, slow, timeout, garbage,
/// hardware error) and waits the operation delay; the device then plays its own faults.
/// </summary>
internal sealed class FaultPlayer(string deviceName, SimulationOptions options, TimeProvider timeProvider, Action<DeviceStatus, string> setStatus)
{
    /// <summary>Extra wait of a slow answer, on top of three operation delays.</summary>
    private static readonly TimeSpan SlowExtra = TimeSpan.FromSeconds(2);

    public TimeSpan OperationDelay => options.OperationDelay;

    /// <summary>
    /// Ends a simulator's open: online when <paramref name="loadFailure"/> is null, otherwise NoDevice with the
    /// failure's description (a missing test-data file is named, with the script that makes it).
    /// </summary>
    public DeviceResult<Done> Open(DeviceResult<Done>? loadFailure)
    {
        if (loadFailure is not null)
        {
            setStatus(DeviceStatus.NoDevice, loadFailure.Description);
            return loadFailure;
        }

        setStatus(DeviceStatus.Online, "opened");
        return DeviceResult<Done>.Success(default);
    }

    /// <summary>
    /// Returns the failure the fault causes, or null when the device should carry on. <paramref name="elapsed"/> is the
    /// part of the operation's time the device has already spent (showing previews), so the whole still takes as long.
    /// </summary>
    public async Task<DeviceResult<T>?> PlayAsync<T>(SimulatedFault fault, CancellationToken cancellationToken, TimeSpan elapsed = default)
    {
        switch (fault)
        {
            case SimulatedFault.Unplugged:
                setStatus(DeviceStatus.NoDevice, "unplugged");
                return DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{deviceName} is unplugged", "ENODEV");
            case SimulatedFault.Timeout:
                // Never answers: only the operation's own timeout (or the caller) ends the wait.
                await SimulatedDelay.WaitAsync(timeProvider, Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
                break;
            case SimulatedFault.Slow:
                await WaitAsync((3 * options.OperationDelay) + SlowExtra - elapsed, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await WaitAsync(options.OperationDelay - elapsed, cancellationToken).ConfigureAwait(false);
                break;
        }

        switch (fault)
        {
            case SimulatedFault.GarbageData:
                setStatus(DeviceStatus.Online, "answering");
                return DeviceResult<T>.Failure(CompletionCode.InvalidData, $"{deviceName} sent a frame that fails its checksum", "bad checksum");
            case SimulatedFault.HardwareError:
                setStatus(DeviceStatus.HardwareError, "simulated hardware error");
                return DeviceResult<T>.Failure(CompletionCode.HardwareError, $"{deviceName} reported an internal error", "simulated hardware error");
            default:
                setStatus(DeviceStatus.Online, "answering");
                return null;
        }
    }

    /// <summary>Health checks of a simulator: internal only needs it open; external and interactive run the simulated path with its faults.</summary>
    public async Task<DeviceResult<Done>> CheckHealthAsync(bool isOpen, HealthCheckLevel level, FaultScript faults, CancellationToken cancellationToken)
    {
        if (!isOpen)
        {
            return NotOpen<Done>();
        }

        if (level == HealthCheckLevel.Internal)
        {
            return DeviceResult<Done>.Success(default);
        }

        return await PlayAsync<Done>(faults.Take(), cancellationToken).ConfigureAwait(false) ?? DeviceResult<Done>.Success(default);
    }

    public DeviceResult<T> NotOpen<T>() => DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{deviceName} is not open");

    /// <summary>Waits on the injected clock (a FakeTimeProvider in tests, so nothing sleeps).</summary>
    public Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => SimulatedDelay.WaitAsync(timeProvider, delay, cancellationToken);
}
