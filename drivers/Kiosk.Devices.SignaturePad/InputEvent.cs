using System.Buffers.Binary;

namespace Kiosk.Devices.SignaturePad;

/// <summary>One <c>struct input_event</c> (include/uapi/linux/input.h), 64-bit little-endian layout.</summary>
internal readonly record struct InputEvent(long Seconds, long Microseconds, ushort Type, ushort Code, int Value)
{
    /// <summary>The event time in microseconds; only meaningful for a <see cref="IsPlausibleTime"/> event.</summary>
    public long TimestampMicroseconds => (Seconds * 1_000_000) + Microseconds;

    /// <summary>A timeval with a negative part or 10^6 or more microseconds cannot come from the kernel.</summary>
    public bool IsPlausibleTime => Seconds is >= 0 and < long.MaxValue / 2_000_000 && Microseconds is >= 0 and < 1_000_000;

    public static InputEvent Read(ReadOnlySpan<byte> record) => new(
        BinaryPrimitives.ReadInt64LittleEndian(record),
        BinaryPrimitives.ReadInt64LittleEndian(record[8..]),
        BinaryPrimitives.ReadUInt16LittleEndian(record[16..]),
        BinaryPrimitives.ReadUInt16LittleEndian(record[18..]),
        BinaryPrimitives.ReadInt32LittleEndian(record[20..]));

    public override string ToString() => $"{Seconds}.{Microseconds:D6} type {Type} code 0x{Code:x} value {Value}";
}
