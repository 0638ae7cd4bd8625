namespace Kiosk.Drivers.Input.Tests.SignaturePad;

/// <summary>
/// The stand-in for /dev/input/eventN: plays a recording back on the fake clock, each item becoming
/// readable when the clock reaches its due time, as the kernel hands out events as they happen.
/// When the recording runs out, <c>refill</c> (if any) is asked for more, given the last due time.
/// A read with nothing due waits, like a read on an evdev node nobody touches.
/// </summary>
internal sealed class RecordedEventStream(TimeProvider time, IEnumerable<FeedItem> items, Func<TimeSpan, IEnumerable<FeedItem>>? refill = null) : Stream
{
    private readonly Queue<FeedItem> _queue = new(items);
    private readonly DateTimeOffset _start = time.GetUtcNow();
    private readonly Lock _gate = new();
    private TimeSpan _lastDue;
    private int _offset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            TaskCompletionSource due = new();
            ITimer? timer = null;
            lock (_gate)
            {
                if (_queue.Count == 0 && refill is not null)
                {
                    foreach (var item in refill(_lastDue))
                    {
                        _queue.Enqueue(item);
                    }
                }

                if (_queue.TryPeek(out var head))
                {
                    var wait = _start + head.Due - time.GetUtcNow();
                    if (wait <= TimeSpan.Zero)
                    {
                        return Take(head, buffer.Span);
                    }

                    timer = time.CreateTimer(_ => due.TrySetResult(), null, wait, Timeout.InfiniteTimeSpan);
                }
            }

            using (timer)
            {
                await due.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Take(FeedItem head, Span<byte> buffer)
    {
        _lastDue = head.Due;
        if (head.End)
        {
            return 0; // stays at the head: every later read sees the end too
        }

        if (head.Error is { } error)
        {
            _queue.Dequeue();
            throw error;
        }

        var data = head.Data!;
        var n = Math.Min(buffer.Length, data.Length - _offset);
        data.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        if (_offset == data.Length)
        {
            _queue.Dequeue();
            _offset = 0;
        }

        return n;
    }
}
