using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Kiosk.TestSupport;

/// <summary>
/// An in-test TCP proxy on a free loopback port with Toxiproxy's faults: cut every connection with RST,
/// refuse new ones (link down), latency per chunk, a bandwidth throttle, and a reset after a number of
/// upstream bytes. Faults can be changed at any time and apply to open connections at once.
/// Thread-safe: every member may be used from any thread while connections are open.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<FaultProxyConnection, Task> _connections = new();
    private readonly object _resetGate = new();
    private readonly List<(Func<FaultProxy, bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private Task? _acceptLoop;
    private volatile bool _accepting = true;
    private long _latencyTicks;
    private int _bytesPerSecond;
    private long? _resetAfterBytes;
    private long _resetRemaining;
    private long _bytesUpstream;
    private long _bytesDownstream;
    private int _connectionsAccepted;
    private int _connectionsReset;
    private int _waiterCount;
    private int _disposed;

    public FaultProxy(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        UpstreamBucket = new TokenBucket(() => BytesPerSecond);
        DownstreamBucket = new TokenBucket(() => BytesPerSecond);
        _listener.Start(backlog: 64);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
    }

    /// <summary>The loopback port clients connect to; bound from construction, served from <see cref="StartAsync"/>.</summary>
    public int Port { get; }

    /// <summary>When false, new connections are accepted and reset at once (the link is down); open ones are untouched.</summary>
    public bool Accepting
    {
        get => _accepting;
        set => _accepting = value;
    }

    /// <summary>Added to every chunk in each direction (without limiting throughput).</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>Bandwidth of each direction across all connections (token bucket); null is unthrottled.</summary>
    public int? BytesPerSecond
    {
        get => Volatile.Read(ref _bytesPerSecond) is var rate && rate > 0 ? rate : null;
        set => Volatile.Write(ref _bytesPerSecond, value is { } rate ? Math.Max(1, rate) : 0);
    }

    /// <summary>
    /// Once this many more upstream bytes (client to target, counted from the moment it is set) have been read,
    /// forward exactly that many and reset the connection carrying them, mid-packet. Fires once, then reads null again.
    /// </summary>
    public long? ResetAfterBytes
    {
        get
        {
            lock (_resetGate)
            {
                return _resetAfterBytes;
            }
        }

        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value ?? 0);
            lock (_resetGate)
            {
                _resetAfterBytes = value;
                _resetRemaining = value ?? 0;
            }
        }
    }

    /// <summary>Bytes written to the target.</summary>
    public long BytesUpstream => Interlocked.Read(ref _bytesUpstream);

    /// <summary>Bytes written to clients.</summary>
    public long BytesDownstream => Interlocked.Read(ref _bytesDownstream);

    /// <summary>Client connections accepted, including those reset at once while not <see cref="Accepting"/>.</summary>
    public int ConnectionsAccepted => Volatile.Read(ref _connectionsAccepted);

    /// <summary>Connections the proxy reset as a fault: <see cref="CutAll"/>, link down, <see cref="ResetAfterBytes"/>, target unreachable.</summary>
    public int ConnectionsReset => Volatile.Read(ref _connectionsReset);

    /// <summary>Connections currently forwarding.</summary>
    public int OpenConnections => _connections.Count;

    internal TokenBucket UpstreamBucket { get; }

    internal TokenBucket DownstreamBucket { get; }

    public Task StartAsync()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _acceptLoop ??= Task.Run(() => AcceptLoopAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    /// <summary>Aborts every open connection with RST (SO_LINGER 0, then close).</summary>
    public void CutAll()
    {
        foreach (var connection in _connections.Keys)
        {
            connection.Reset(counted: true);
        }
    }

    /// <summary>
    /// Completes once <paramref name="condition"/> holds; it is checked now and after every change of a counter,
    /// so tests await the proxy's traffic instead of polling it.
    /// </summary>
    public async Task WaitUntilAsync(Func<FaultProxy, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            _waiters.Add((condition, done));
            Interlocked.Increment(ref _waiterCount);
        }

        try
        {
            Changed();
            await done.Task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"the proxy's condition did not hold within {timeout}; {this}", ex);
        }
        finally
        {
            lock (_waiters)
            {
                if (_waiters.RemoveAll(w => w.Done == done) > 0)
                {
                    Interlocked.Decrement(ref _waiterCount);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Reset(counted: false);
        }

        await Task.WhenAll(_connections.Values).ConfigureAwait(false);
        _stopping.Dispose();
    }

    public override string ToString() =>
        $"proxy :{Port} -> {_targetHost}:{_targetPort}: {ConnectionsAccepted} accepted, {ConnectionsReset} reset, {OpenConnections} open, {BytesUpstream} B up, {BytesDownstream} B down";

    internal (int Forward, bool ResetAfter) TakeUpstreamBeforeReset(int bytes)
    {
        lock (_resetGate)
        {
            if (_resetAfterBytes is null || bytes < _resetRemaining)
            {
                _resetRemaining -= _resetAfterBytes is null ? 0 : bytes;
                return (bytes, false);
            }

            var forward = (int)_resetRemaining;
            _resetAfterBytes = null;
            _resetRemaining = 0;
            return (forward, true);
        }
    }

    internal void CountForwarded(bool upstream, int bytes)
    {
        Interlocked.Add(ref (upstream ? ref _bytesUpstream : ref _bytesDownstream), bytes);
        Changed();
    }

    internal void CountReset()
    {
        Interlocked.Increment(ref _connectionsReset);
        Changed();
    }

    private void Changed()
    {
        if (Volatile.Read(ref _waiterCount) == 0)
        {
            return;
        }

        lock (_waiters)
        {
            foreach (var (condition, done) in _waiters)
            {
                if (!done.Task.IsCompleted && condition(this))
                {
                    done.TrySetResult();
                }
            }
        }
    }

    private async Task AcceptLoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || (ex is SocketException && stopping.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                // A client that gave up while queued; keep accepting.
                continue;
            }

            Interlocked.Increment(ref _connectionsAccepted);
            if (!_accepting)
            {
                FaultProxyConnection.Abort(client);
                CountReset();
                continue;
            }

            var connection = new FaultProxyConnection(this, client);
            var run = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _connections[connection] = run.Task;
            Changed();
            _ = ForwardAsync(connection, run);
        }
    }

    private async Task ForwardAsync(FaultProxyConnection connection, TaskCompletionSource run)
    {
        try
        {
            await connection.RunAsync(_targetHost, _targetPort).ConfigureAwait(false);
        }
        finally
        {
            _connections.TryRemove(connection, out _);
            connection.Dispose();
            run.TrySetResult();
            Changed();
        }
    }
}
