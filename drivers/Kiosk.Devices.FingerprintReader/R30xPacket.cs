using System.Buffers.Binary;

namespace Kiosk.Devices.FingerprintReader;

/// <summary>
/// One packet of the R30x/ZFM/AS608 UART protocol (R30x user manual, "Data package format"):
/// header EF 01, 4-byte address, packet id, 2-byte length (contents + 2), contents, and a 2-byte checksum
/// = sum of packet id, length bytes and contents, modulo 65536. All multi-byte values big-endian.
/// </summary>
internal sealed record R30xPacket(byte PacketId, byte[] Contents)
{
    public const byte Command = 0x01;
    public const byte Data = 0x02;
    public const byte Acknowledge = 0x07;
    public const byte EndOfData = 0x08;

    /// <summary>Header, address, packet id and length.</summary>
    public const int PrefixLength = 9;

    /// <summary>Largest contents we accept: data packets are 32..256 bytes (system parameter "packet size").</summary>
    public const int MaxContents = 256;

    public static ReadOnlySpan<byte> Header => [0xEF, 0x01];

    public byte[] Encode(uint address)
    {
        var packet = new byte[PrefixLength + Contents.Length + 2];
        Header.CopyTo(packet);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(2), address);
        packet[6] = PacketId;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(7), (ushort)(Contents.Length + 2));
        Contents.CopyTo(packet, PrefixLength);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(packet.Length - 2), Checksum(packet.AsSpan(6, packet.Length - 8)));
        return packet;
    }

    /// <summary>Sum of packet id, both length bytes and the contents, modulo 65536.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> packetIdThroughContents)
    {
        var sum = 0;
        foreach (var b in packetIdThroughContents)
        {
            sum += b;
        }

        return (ushort)sum;
    }

    public override string ToString() => $"packet {PacketId:X2} with {Contents.Length} bytes";
}
