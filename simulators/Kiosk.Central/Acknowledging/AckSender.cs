using System.Threading.Channels;

namespace Kiosk.Central.Acknowledging;

/// <summary>
/// Publishes ready acks one after another on its own task, so the message path never waits for a PUBACK.
/// While the broker is away an ack waits and is retried; acks still queued at shutdown are lost, which is safe
/// because the kiosk resends unacknowledged records and the platform acknowledges duplicates again.
/// </summary>
internal sealed class AckSender : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);
    private readonly Channel<AckMessage> _queue = Channel.CreateUnbounded<AckMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<string, byte[], CancellationToken, Task> _publish;
    private readonly Func<AckMessage, byte[]> _encode;
    private readonly Action<AckMessage> _sent;
    private readonly TimeProvider _time;
    private readonly TextWriter _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    /// <param name="encode">Makes the payload (the signed message) of an ack.</param>
    public AckSender(Func<string, byte[], CancellationToken, Task> publish, Func<AckMessage, byte[]> encode, Action<AckMessage> sent, TimeProvider time, TextWriter log)
    {
        _publish = publish;
        _encode = encode;
        _sent = sent;
        _time = time;
        _log = log;
        _loop = Task.Run(SendLoopAsync);
    }

    public void Enqueue(AckMessage message) => _queue.Writer.TryWrite(message);

    /// <summary>Stops taking acks and gives the queued ones up to <paramref name="grace"/> to go out.</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        _queue.Writer.TryComplete();
        await Task.WhenAny(_loop, Task.Delay(grace, _time));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop;
        _stopping.Dispose();
    }

    private async Task SendLoopAsync()
    {
        var ct = _stopping.Token;
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(ct))
            {
                var payload = _encode(message);
                while (true)
                {
                    try
                    {
                        await _publish(message.Topic, payload, ct);
                        _sent(message);
                        break;
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _log.WriteLine($"central: ack to {message.Topic} not sent yet ({ex.GetType().Name}: {ex.Message}); retrying");
                        await Task.Delay(RetryDelay, _time, ct);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutdown: what is left is resent by the kiosks and acknowledged as duplicates.
        }
    }
}
