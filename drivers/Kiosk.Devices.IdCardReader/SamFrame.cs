using System.Buffers.Binary;

namespace Kiosk.Devices.IdCardReader;

/// <summary>
/// The GA/T 467-2004 SAM frame: preamble AA AA AA 96 69, a 2-byte big-endian length of everything after it
/// (command or status, data and the checksum), then CMD PARA (host) or SW1 SW2 SW3 (SAM), data, and a
/// 1-byte XOR checksum over the length bytes through the last data byte.
/// </summary>
internal static class SamFrame
{
    /// <summary>Preamble plus the two length bytes.</summary>
    public const int HeaderLength = 7;

    /// <summary>
    /// The largest length field we accept. The biggest documented response is text + photo + fingerprint
    /// (3 + 6 + 256 + 1024 + 1024 + 1 = 2314); anything far beyond is a corrupted length.
    /// </summary>
    public const int MaxLength = 4096;

    /// <summary>Find card (寻找证/卡): CMD 0x20 PARA 0x01; success is SW3 0x9F.</summary>
    public static readonly SamCommand FindCard = new(0x20, 0x01);

    /// <summary>Select card (选取证/卡): CMD 0x20 PARA 0x02.</summary>
    public static readonly SamCommand SelectCard = new(0x20, 0x02);

    /// <summary>Read the fixed text and the photo (读基本信息): CMD 0x30 PARA 0x01.</summary>
    public static readonly SamCommand ReadTextAndPhoto = new(0x30, 0x01);

    /// <summary>Read the SAM's management number (读SAM_V管理信息): CMD 0x12 PARA 0xFF.</summary>
    public static readonly SamCommand ReadSamId = new(0x12, 0xFF);

    /// <summary>GA/T 467 frame header; 0xAA three times so a receiver can find frame starts after noise.</summary>
    public static ReadOnlySpan<byte> Preamble => [0xAA, 0xAA, 0xAA, 0x96, 0x69];

    public static byte[] EncodeCommand(SamCommand command, ReadOnlySpan<byte> data = default) =>
        Encode([command.Cmd, command.Para], data);

    /// <summary>A SAM response frame (used by the tests' device stand-in and by the frame tests).</summary>
    public static byte[] EncodeResponse(byte sw1, byte sw2, byte sw3, ReadOnlySpan<byte> data = default) =>
        Encode([sw1, sw2, sw3], data);

    /// <summary>XOR of every byte from the first length byte through the last data byte.</summary>
    public static byte Checksum(ReadOnlySpan<byte> lengthThroughData)
    {
        byte sum = 0;
        foreach (var b in lengthThroughData)
        {
            sum ^= b;
        }

        return sum;
    }

    /// <summary>Decodes the part after the preamble (length, status or command, data, checksum).</summary>
    /// <exception cref="InvalidDataException">The length or the checksum is wrong.</exception>
    public static SamResponse DecodeResponse(ReadOnlySpan<byte> afterPreamble)
    {
        if (afterPreamble.Length < 2)
        {
            throw new InvalidDataException("SAM frame shorter than its length field");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(afterPreamble);
        if (length < 4 || afterPreamble.Length != length + 2)
        {
            throw new InvalidDataException($"SAM frame length {length} does not match the {afterPreamble.Length - 2} bytes received");
        }

        var expected = Checksum(afterPreamble[..^1]);
        if (expected != afterPreamble[^1])
        {
            throw new InvalidDataException($"SAM frame checksum {afterPreamble[^1]:X2}, expected {expected:X2}");
        }

        return new SamResponse(afterPreamble[2], afterPreamble[3], afterPreamble[4], afterPreamble[5..^1].ToArray());
    }

    private static byte[] Encode(ReadOnlySpan<byte> head, ReadOnlySpan<byte> data)
    {
        var length = head.Length + data.Length + 1;
        var frame = new byte[HeaderLength + length];
        Preamble.CopyTo(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(5), (ushort)length);
        head.CopyTo(frame.AsSpan(HeaderLength));
        data.CopyTo(frame.AsSpan(HeaderLength + head.Length));
        frame[^1] = Checksum(frame.AsSpan(5, frame.Length - 6));
        return frame;
    }
}
