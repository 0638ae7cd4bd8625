using System.Threading.Channels;

namespace Kiosk.Agent.Outbox;

/// <summary>
/// Wakes the publisher when there may be something to send: the outbox sets it on every commit, the sync on an ack or a reconnect.
/// Signals coalesce: many sets before one wait wake it once.
/// </summary>
public sealed class OutboxSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Set() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a signal or until <paramref name="timeout"/> passes on <paramref name="timeProvider"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (_channel.Reader.TryRead(out _))
        {
            return;
        }

        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            await _channel.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Timed out: the caller re-checks its state, which is the point of the timeout.
        }
    }
}
