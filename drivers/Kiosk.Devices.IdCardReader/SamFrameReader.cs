using System.Buffers.Binary;

namespace Kiosk.Devices.IdCardReader;

/// <summary>
/// Reads SAM frames from the serial stream: skips anything before the preamble (line noise, the tail of an
/// abandoned frame), then reads the length and the body and checks the checksum.
/// </summary>
internal sealed class SamFrameReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[4096];
    private int _position;
    private int _count;

    /// <summary>Forgets bytes already buffered (before a new command, so a late answer is not taken for the next one).</summary>
    public void Discard() => _position = _count = 0;

    /// <exception cref="InvalidDataException">Bad length or checksum.</exception>
    /// <exception cref="EndOfStreamException">The port reported end of stream (the device went away).</exception>
    public async Task<SamResponse> ReadAsync(CancellationToken cancellationToken)
    {
        var matched = 0;
        while (matched < SamFrame.Preamble.Length)
        {
            var b = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
            if (b == SamFrame.Preamble[matched])
            {
                matched++;
            }
            else if (b == 0xAA)
            {
                // Only after "AA AA AA" can an AA mismatch (96 expected): "AA AA AA AA 96 69" still holds a
                // preamble. After "AA AA AA 96" this AA starts a new one.
                matched = matched == 3 ? 3 : 1;
            }
            else
            {
                matched = 0;
            }
        }

        var frame = new byte[2];
        frame[0] = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        frame[1] = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(frame);
        if (length is < 4 or > SamFrame.MaxLength)
        {
            throw new InvalidDataException($"SAM frame length {length} is out of range");
        }

        Array.Resize(ref frame, length + 2);
        for (var i = 2; i < frame.Length; i++)
        {
            frame[i] = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        }

        return SamFrame.DecodeResponse(frame);
    }

    private async ValueTask<byte> ReadByteAsync(CancellationToken cancellationToken)
    {
        if (_position == _count)
        {
            _position = 0;
            _count = 0;
            _count = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (_count == 0)
            {
                throw new EndOfStreamException("the serial port reported end of stream");
            }
        }

        return _buffer[_position++];
    }
}
