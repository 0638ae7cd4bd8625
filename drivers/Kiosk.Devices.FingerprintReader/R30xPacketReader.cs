using System.Buffers.Binary;

namespace Kiosk.Devices.FingerprintReader;

/// <summary>Reads R30x packets from the serial stream, skipping anything before a header EF 01 and the module address.</summary>
internal sealed class R30xPacketReader(Stream stream, uint address)
{
    private readonly byte[] _buffer = new byte[4096];
    private readonly byte[] _header = [0xEF, 0x01, (byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address];
    private int _position;
    private int _count;

    public void Discard() => _position = _count = 0;

    /// <exception cref="InvalidDataException">Bad length or checksum.</exception>
    /// <exception cref="EndOfStreamException">The port reported end of stream.</exception>
    public async Task<R30xPacket> ReadAsync(CancellationToken cancellationToken)
    {
        var prefix = new byte[R30xPacket.PrefixLength];
        var header = _header;
        var matched = 0;
        while (matched < header.Length)
        {
            var b = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
            matched = b == header[matched] ? matched + 1 : b == header[0] ? 1 : 0;
        }

        header.CopyTo(prefix, 0);
        for (var i = header.Length; i < prefix.Length; i++)
        {
            prefix[i] = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(prefix.AsSpan(7));
        if (length is < 3 or > R30xPacket.MaxContents + 2)
        {
            throw new InvalidDataException($"R30x packet length {length} is out of range");
        }

        var rest = new byte[length];
        for (var i = 0; i < rest.Length; i++)
        {
            rest[i] = await ReadByteAsync(cancellationToken).ConfigureAwait(false);
        }

        return Decode(prefix, rest);
    }

    /// <summary>Checks the checksum of a packet split after its length field.</summary>
    internal static R30xPacket Decode(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> contentsAndChecksum)
    {
        var sum = R30xPacket.Checksum(prefix[6..]) + R30xPacket.Checksum(contentsAndChecksum[..^2]);
        var received = BinaryPrimitives.ReadUInt16BigEndian(contentsAndChecksum[^2..]);
        if ((ushort)sum != received)
        {
            throw new InvalidDataException($"R30x packet checksum {received:X4}, expected {(ushort)sum:X4}");
        }

        return new R30xPacket(prefix[6], contentsAndChecksum[..^2].ToArray());
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
