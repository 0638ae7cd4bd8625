namespace Kiosk.Agent.Sync;

/// <summary>
/// Token bucket on outgoing MQTT messages, so a kiosk draining a long backlog (and a fleet reconnecting
/// at once) does not knock the platform over: a burst of two ticks' worth (at least one message), then one tick's worth
/// every 100 ms. A tick's worth may be a fraction (4 a second is 0.4 a tick), so every rate is kept as configured, not
/// rounded to a multiple of ten. Refilled by a timer of the injected clock. (System.Threading.RateLimiting's token bucket
/// measures refills with the real Stopwatch even when replenished by hand, so a test clock cannot drive it.)
/// Thread safety: <see cref="WaitAsync"/> may be called concurrently; waiters are served in order.
/// </summary>
internal sealed class DrainRateLimit : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly double _perTick;
    private readonly double _capacity;
    private readonly ITimer? _timer;
    private double _tokens;

    public DrainRateLimit(int messagesPerSecond, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (messagesPerSecond <= 0)
        {
            return;
        }

        _perTick = messagesPerSecond * Tick.TotalSeconds;
        _capacity = Math.Max(1, _perTick * 2);
        _tokens = _capacity;
        _timer = timeProvider.CreateTimer(_ => Refill(), null, Tick, Tick);
    }

    /// <summary>Waits for one message's worth of tokens (at once when unlimited or when tokens are left).</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (_timer is null)
        {
            return ValueTask.CompletedTask;
        }

        TaskCompletionSource waiter;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _tokens >= 1)
            {
                _tokens--;
                return ValueTask.CompletedTask;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() => waiter.TrySetCanceled(cancellationToken));
            _ = waiter.Task.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return new ValueTask(waiter.Task);
    }

    private void Refill()
    {
        var released = new List<TaskCompletionSource>();
        lock (_lock)
        {
            // Serve the waiters first and cap what is left: capping first would lose the fraction a slow rate carries over.
            _tokens += _perTick;
            while (_tokens >= 1 && _waiters.TryDequeue(out var waiter))
            {
                if (!waiter.Task.IsCompleted)
                {
                    _tokens--;
                    released.Add(waiter);
                }
            }

            _tokens = Math.Min(_capacity, _tokens);
        }

        foreach (var waiter in released)
        {
            waiter.TrySetResult();
        }
    }

    public void Dispose() => _timer?.Dispose();
}
