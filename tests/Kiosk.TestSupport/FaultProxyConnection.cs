using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Kiosk.TestSupport;

/// <summary>
/// One client connection through a <see cref="FaultProxy"/> and its connection to the target: two pumps
/// (upstream client→target, downstream target→client), each a reader that throttles and timestamps chunks
/// and a writer that holds each chunk until its latency has passed, so latency delays data without
/// limiting throughput (as Toxiproxy's latency toxic does). An EOF is passed on as a half-close; a reset
/// on either side, or <see cref="Reset"/>, aborts both sockets with RST. Thread-safe.
/// </summary>
internal sealed class FaultProxyConnection : IDisposable
{
    private const int MaxChunk = 16 * 1024;
    private const int QueuedChunks = 64;

    private readonly FaultProxy _proxy;
    private readonly Socket _client;
    private readonly Socket _target = new(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly CancellationTokenSource _abort = new();
    private int _reset;

    public FaultProxyConnection(FaultProxy proxy, Socket client)
    {
        _proxy = proxy;
        _client = client;
        _client.NoDelay = true;
    }

    private enum Direction
    {
        Upstream,
        Downstream,
    }

    private readonly record struct Segment(byte[] Buffer, int Length, long Due, bool ResetAfter);

    /// <summary>Connects to the target and forwards until both sides have closed or the connection was reset. Never throws.</summary>
    public async Task RunAsync(string targetHost, int targetPort)
    {
        try
        {
            using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(10));
            await _target.ConnectAsync(targetHost, targetPort, connectTimeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Target down (or the proxy cut us while connecting): the client sees what it would see at the target, a reset.
            Reset(counted: !_abort.IsCancellationRequested);
            return;
        }

        await Task.WhenAll(PumpAsync(Direction.Upstream, _client, _target), PumpAsync(Direction.Downstream, _target, _client)).ConfigureAwait(false);
        if (Volatile.Read(ref _reset) == 0)
        {
            // Both sides closed in an orderly way.
            _client.Close();
            _target.Close();
        }
    }

    /// <summary>Releases the sockets (resetting them if still open) once <see cref="RunAsync"/> has returned.</summary>
    public void Dispose()
    {
        Reset(counted: false);
        _client.Dispose();
        _target.Dispose();
        _abort.Dispose();
    }

    /// <summary>Aborts both sockets with RST (SO_LINGER 0). Returns false when the connection was already reset.</summary>
    public bool Reset(bool counted)
    {
        if (Interlocked.Exchange(ref _reset, 1) != 0)
        {
            return false;
        }

        try
        {
            _abort.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already finished.
        }

        Abort(_client);
        Abort(_target);
        if (counted)
        {
            _proxy.CountReset();
        }

        return true;
    }

    internal static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Not connected or already closed: closing is all that is left.
        }

        socket.Close();
    }

    private Task PumpAsync(Direction direction, Socket from, Socket to)
    {
        var queue = Channel.CreateBounded<Segment>(new BoundedChannelOptions(QueuedChunks) { SingleReader = true, SingleWriter = true });
        return Task.WhenAll(ReadAsync(direction, from, queue.Writer), WriteAsync(direction, to, queue.Reader));
    }

    private async Task ReadAsync(Direction direction, Socket from, ChannelWriter<Segment> queue)
    {
        var bucket = direction == Direction.Upstream ? _proxy.UpstreamBucket : _proxy.DownstreamBucket;
        var token = _abort.Token;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(MaxChunk);
                var read = await from.ReceiveAsync(buffer.AsMemory(0, bucket.ChunkSize(MaxChunk)), SocketFlags.None, token).ConfigureAwait(false);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    queue.TryComplete();
                    return;
                }

                var wait = bucket.Take(read);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, token).ConfigureAwait(false);
                }

                var (forward, resetAfter) = direction == Direction.Upstream ? _proxy.TakeUpstreamBeforeReset(read) : (read, false);
                await queue.WriteAsync(new Segment(buffer, forward, Stopwatch.GetTimestamp() + (long)(_proxy.Latency.TotalSeconds * Stopwatch.Frequency), resetAfter), token).ConfigureAwait(false);
                if (resetAfter)
                {
                    queue.TryComplete();
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            // The peer reset, or we did: pass the reset on to the other side.
            queue.TryComplete();
            Reset(counted: false);
        }
    }

    private async Task WriteAsync(Direction direction, Socket to, ChannelReader<Segment> queue)
    {
        var token = _abort.Token;
        try
        {
            await foreach (var segment in queue.ReadAllAsync(token).ConfigureAwait(false))
            {
                var early = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), segment.Due);
                if (early > TimeSpan.Zero)
                {
                    await Task.Delay(early, token).ConfigureAwait(false);
                }

                if (segment.Length > 0)
                {
                    await to.SendAsync(segment.Buffer.AsMemory(0, segment.Length), SocketFlags.None, token).ConfigureAwait(false);
                }

                _proxy.CountForwarded(direction == Direction.Upstream, segment.Length);
                ArrayPool<byte>.Shared.Return(segment.Buffer);
                if (segment.ResetAfter)
                {
                    Reset(counted: true);
                    return;
                }
            }

            // The sender closed its side: close ours towards the receiver, keep the other direction open.
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Reset(counted: false);
        }
    }
}
