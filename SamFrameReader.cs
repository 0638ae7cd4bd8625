using System.Buffers.Binary;

namespace Kiosk.Devices.IdCardReader;

/// <summary>
/// Reads SAM response frames from the serial stream: skips anything before the preamble (line noise, the
/// tail of an abandoned frame), then reads the length, the body and checks the checksum.
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
        var preamble = SamFrame.Preamble;
        Span<byte> window = stackalloc byte[0];
        var matched = 0;
        while (matched < preamble.Length)
        {
            var b = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
            if (b == preamble[matched])
            {
                matched++;
            }
            else if (b == 0xAA)
            {
                // "AA AA AA AA 96 69": an extra AA keeps up to three matched AAs.
                matched = Math.Min(matched, 3);
                matched = matched == 0 ? 1 : matched;
            }
            else
            {
                matched = 0;
            }
        }

        var lengthBytes = new byte[2];
        lengthBytes[0] = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        lengthBytes[1] = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt16BigEndian(lengthBytes);
        if (length is < 4 or > SamFrame.MaxLength)
        {
            throw new InvalidDataException($"SAM frame length {length} is out of range");
        }

        var frame = new byte[length + 2];
        lengthBytes.CopyTo(frame, 0);
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
            _count = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (_count == 0)
            {
                throw new EndOfStreamException("the serial port reported end of stream");
            }
        }

        return _buffer[_position++];
    }
}
