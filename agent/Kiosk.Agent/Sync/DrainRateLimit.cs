namespace Kiosk.Agent.Sync;

/// <summary>
/// Token bucket on outgoing MQTT messages, so a kiosk draining a long backlog (and a fleet reconnecting
/// at once) does not knock the platform over: a burst of two ticks' worth, then one tick's worth every
/// 100 ms. Refilled by a timer of the injected clock. (System.Threading.RateLimiting's token bucket
/// measures refills with the real Stopwatch even when replenished by hand, so a test clock cannot drive it.)
/// Thread safety: <see cref="WaitAsync"/> may be called concurrently; waiters are served in order.
/// </summary>
internal sealed class DrainRateLimit : IDisposable
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly Queue<TaskCompletionSource> _waiters = new();
    private readonly int _perTick;
    private readonly int _capacity;
    private readonly ITimer? _timer;
    private int _tokens;

    public DrainRateLimit(int messagesPerSecond, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (messagesPerSecond <= 0)
        {
            return;
        }

        _perTick = Math.Max(1, messagesPerSecond / 10);
        _capacity = _perTick * 2;
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
            if (_waiters.Count == 0 && _tokens > 0)
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
            _tokens = Math.Min(_capacity, _tokens + _perTick);
            while (_tokens > 0 && _waiters.TryDequeue(out var waiter))
            {
                if (!waiter.Task.IsCompleted)
                {
                    _tokens--;
                    released.Add(waiter);
                }
            }
        }

        foreach (var waiter in released)
        {
            waiter.TrySetResult();
        }
    }

    public void Dispose() => _timer?.Dispose();
}
