namespace Kiosk.Devices.Simulated;

/// <summary>
/// A wait on the injected <see cref="TimeProvider"/>'s timer, like <c>Task.Delay(delay, timeProvider, ct)</c>
/// but completing its awaiter synchronously: <c>Task.Delay</c> runs continuations asynchronously, so after
/// <c>FakeTimeProvider.Advance</c> the operation would finish later on the thread pool and a test could
/// only find out by polling. Here the operation has finished (or reached its next wait) when Advance
/// or Cancel returns, so tests stay deterministic without sleeping.
/// </summary>
internal static class SimulatedDelay
{
    public static Task WaitAsync(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        if (delay <= TimeSpan.Zero && delay != Timeout.InfiniteTimeSpan)
        {
            return Task.CompletedTask;
        }

        return new Waiter(timeProvider, delay, cancellationToken).Task;
    }

    private sealed class Waiter
    {
        // Synchronous continuations are the point (see the class comment), hence no RunContinuationsAsynchronously.
        private readonly TaskCompletionSource _completion = new();
        private readonly CancellationTokenRegistration _registration;
        private readonly ITimer _timer;

        public Waiter(TimeProvider timeProvider, TimeSpan delay, CancellationToken cancellationToken)
        {
            // Registered before the timer exists, so Elapse always finds the registration; the timer may
            // fire (on a real clock) before the field is set, hence the null checks below.
            _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), this);
            _timer = timeProvider.CreateTimer(static state => ((Waiter)state!).Elapse(), this, delay, Timeout.InfiniteTimeSpan);
            if (_completion.Task.IsCompleted)
            {
                _timer.Dispose();
            }
        }

        public Task Task => _completion.Task;

        private void Elapse()
        {
            if (_completion.TrySetResult())
            {
                _registration.Dispose();
                _timer?.Dispose();
            }
        }

        private void Cancel(CancellationToken token)
        {
            if (_completion.TrySetCanceled(token))
            {
                _timer?.Dispose();
            }
        }
    }
}
