namespace Kiosk.Devices;

/// <summary>
/// Shared bookkeeping for device implementations (drivers and simulators): status and its events,
/// claim and release, one operation at a time, and turning timeouts, cancellation and
/// unexpected exceptions into completion codes so nothing throws across the HAL boundary.
/// </summary>
public abstract class DeviceBase : IDevice
{
    private readonly SemaphoreSlim _claimGate = new(1, 1);
    private readonly SemaphoreSlim _operationGate = new(1, 1);
    private DeviceClaim? _claim;
    private DeviceStatus _status = DeviceStatus.Starting;
    private int _disposed;

    protected DeviceBase(string name, DeviceClass deviceClass, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Name = name;
        DeviceClass = deviceClass;
        TimeProvider = timeProvider;
    }

    public string Name { get; }

    public DeviceClass DeviceClass { get; }

    public DeviceStatus Status => _status;

    public abstract DeviceCapabilities Capabilities { get; }

    public string? ClaimedBy => _claim?.Owner;

    protected TimeProvider TimeProvider { get; }

    public event EventHandler<DeviceStatusChangedEventArgs>? StatusChanged;

    public abstract Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken);

    public async Task<HealthReport> CheckHealthAsync(HealthCheckLevel level, CancellationToken cancellationToken)
    {
        if (level != HealthCheckLevel.Internal && _claim is not null)
        {
            return new HealthReport(Name, level, CompletionCode.NotClaimed, Status, $"claimed by {_claim.Owner}; only the internal check runs while a claim is held");
        }

        var result = await RunAsync(TimeSpan.FromSeconds(10), ct => CheckHealthCoreAsync(level, ct), cancellationToken).ConfigureAwait(false);
        return new HealthReport(Name, level, result.Code, Status, result.Description);
    }

    public async Task<DeviceResult<DeviceClaim>> ClaimAsync(string owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(owner);
        using var timeoutSource = new CancellationTokenSource(timeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await _claimGate.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return cancellationToken.IsCancellationRequested
                ? DeviceResult<DeviceClaim>.Failure(CompletionCode.Canceled, "claim canceled")
                : DeviceResult<DeviceClaim>.Failure(CompletionCode.NotClaimed, $"{Name} is claimed by {_claim?.Owner ?? "another owner"}");
        }

        var claim = new DeviceClaim(owner, Release);
        _claim = claim;
        return DeviceResult<DeviceClaim>.Success(claim);
    }

    private void Release(DeviceClaim claim)
    {
        if (ReferenceEquals(_claim, claim))
        {
            _claim = null;
            _claimGate.Release();
        }
    }

    /// <summary>Checks the claim, runs one operation with its timeout and maps every way it can end to a completion code.</summary>
    protected async Task<DeviceResult<T>> RunClaimedAsync<T>(DeviceClaim claim, TimeSpan timeout, Func<CancellationToken, Task<DeviceResult<T>>> operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        if (!ReferenceEquals(claim, _claim) || claim.IsReleased)
        {
            return DeviceResult<T>.Failure(CompletionCode.NotClaimed, $"{Name} is not claimed by {claim.Owner}");
        }

        return await RunAsync(timeout, operation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one operation that needs no claim (shared devices such as sensors) with the same
    /// one-at-a-time rule, timeout and completion-code mapping as <see cref="RunClaimedAsync{T}"/>.
    /// </summary>
    protected Task<DeviceResult<T>> RunSharedAsync<T>(TimeSpan timeout, Func<CancellationToken, Task<DeviceResult<T>>> operation, CancellationToken cancellationToken)
        => RunAsync(timeout, operation, cancellationToken);

    private async Task<DeviceResult<T>> RunAsync<T>(TimeSpan timeout, Func<CancellationToken, Task<DeviceResult<T>>> operation, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            return DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{Name} is closed");
        }

        if (!await _operationGate.WaitAsync(TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false))
        {
            return DeviceResult<T>.Failure(CompletionCode.DeviceNotReady, $"{Name} is busy with another operation");
        }

        using var timeoutSource = new CancellationTokenSource(timeout, TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            return await operation(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return DeviceResult<T>.Failure(CompletionCode.Canceled, "operation canceled");
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            return DeviceResult<T>.Failure(CompletionCode.Timeout, $"no answer from {Name} within {timeout.TotalSeconds:0.#} s");
        }
#pragma warning disable CA1031 // The HAL boundary turns every unexpected failure into a value.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            SetStatus(DeviceStatus.HardwareError, ex.Message);
            return DeviceResult<T>.Failure(CompletionCode.HardwareError, ex.Message, ex.GetType().Name);
        }
        finally
        {
            _operationGate.Release();
        }
    }

    protected abstract Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken);

    protected void SetStatus(DeviceStatus status, string reason)
    {
        var previous = _status;
        if (previous == status)
        {
            return;
        }

        _status = status;
        StatusChanged?.Invoke(this, new DeviceStatusChangedEventArgs(Name, previous, status, reason));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await DisposeCoreAsync().ConfigureAwait(false);
        SetStatus(DeviceStatus.Offline, "closed");
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask DisposeCoreAsync() => ValueTask.CompletedTask;
}
