namespace Kiosk.Devices.SignaturePad;

internal enum ReadOutcome
{
    Event,
    /// <summary>Nothing arrived within the idle time asked for.</summary>
    Idle,
    /// <summary>The stream ended on a record boundary: the device went away.</summary>
    EndOfStream,
    /// <summary>The stream ended inside a record.</summary>
    Truncated,
}

/// <summary>
/// Cuts the event stream into 24-byte records. A read on an evdev node blocks until the pen moves and
/// cannot be interrupted (FileStream ignores cancellation for character devices), so a pending read is
/// never cancelled: the caller stops waiting for it and the next call picks it up, losing nothing.
/// Not thread safe: the device runs one operation at a time.
/// </summary>
internal sealed class InputEventReader(Stream stream, TimeProvider timeProvider)
{
    private readonly byte[] _buffer = new byte[EvdevCodes.RecordSize * 64];
    private int _start;
    private int _count;
    private Task<int>? _pendingRead;

    public async Task<(ReadOutcome Outcome, InputEvent Event)> ReadAsync(TimeSpan? idle, CancellationToken cancellationToken)
    {
        while (_count < EvdevCodes.RecordSize)
        {
            if (_pendingRead is null)
            {
                // Only whole records are consumed, so what is left is a partial record: move it to the front.
                Array.Copy(_buffer, _start, _buffer, 0, _count);
                _start = 0;
                _pendingRead = stream.ReadAsync(_buffer.AsMemory(_count), CancellationToken.None).AsTask();
            }

            int read;
            try
            {
                read = idle is { } wait
                    ? await _pendingRead.WaitAsync(wait, timeProvider, cancellationToken).ConfigureAwait(false)
                    : await _pendingRead.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return (ReadOutcome.Idle, default);
            }
            catch (Exception) when (_pendingRead.IsFaulted || _pendingRead.IsCanceled)
            {
                _pendingRead = null;
                throw;
            }

            _pendingRead = null;
            if (read == 0)
            {
                return (_count == 0 ? ReadOutcome.EndOfStream : ReadOutcome.Truncated, default);
            }

            _count += read;
        }

        var record = InputEvent.Read(_buffer.AsSpan(_start, EvdevCodes.RecordSize));
        _start += EvdevCodes.RecordSize;
        _count -= EvdevCodes.RecordSize;
        return (ReadOutcome.Event, record);
    }
}
