namespace Kiosk.Agent.Sync;

/// <summary>
/// How the agent secures its broker connection: mutual TLS, or none (demo profile only; validation enforces it).
/// Certificate renewal swaps the TLS settings (<see cref="Swap"/>); every connect attempt reads the current ones.
/// Thread safety: <see cref="Tls"/> may be read from any thread while a swap happens.
/// </summary>
internal sealed class BrokerSecurity(BrokerTls? tls) : IDisposable
{
    private BrokerTls? _tls = tls;
    private readonly List<BrokerTls> _retired = [];

    public BrokerTls? Tls => Volatile.Read(ref _tls);

    /// <summary>Uses <paramref name="next"/> from the next connect on and returns the one it replaces (kept alive until disposal: a connect may still hold it).</summary>
    public BrokerTls? Swap(BrokerTls next)
    {
        var previous = Interlocked.Exchange(ref _tls, next);
        lock (_retired)
        {
            if (previous is not null && !_retired.Contains(previous))
            {
                _retired.Add(previous);
            }

            _retired.Remove(next);
        }

        return previous;
    }

    public void Dispose()
    {
        Tls?.Dispose();
        lock (_retired)
        {
            foreach (var retired in _retired)
            {
                retired.Dispose();
            }

            _retired.Clear();
        }
    }
}
