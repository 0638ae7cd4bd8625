using System.Buffers.Binary;

namespace Kiosk.Fuzz.Seeds;

/// <summary>Seeds for the signature pad: struct input_event records (include/uapi/linux/input.h, 64-bit layout) of a pen writing.</summary>
internal static class InputSeeds
{
    private const ushort EvSyn = 0, EvKey = 1, EvAbs = 3;
    private const ushort SynReport = 0, SynDropped = 3, BtnToolPen = 0x140, BtnTouch = 0x14a, AbsX = 0, AbsY = 1, AbsPressure = 0x18;

    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        yield return ("evdev-signature", "one-stroke.bin", Stroke(dropped: false));
        yield return ("evdev-signature", "stroke-with-syn-dropped.bin", Stroke(dropped: true));
    }

    /// <summary>Pen comes near, touches, moves, lifts, and stays up for 3 s of event time (past the 2 s idle) before moving again.</summary>
    private static byte[] Stroke(bool dropped)
    {
        var events = new List<byte>();
        var micros = 1_000_000L;
        void Add(ushort type, ushort code, int value) => events.AddRange(Event(micros, type, code, value));
        void Sync()
        {
            Add(EvSyn, SynReport, 0);
            micros += 5_000;
        }

        Add(EvKey, BtnToolPen, 1);
        Add(EvAbs, AbsX, 1000);
        Add(EvAbs, AbsY, 1000);
        Sync();
        Add(EvKey, BtnTouch, 1);
        Add(EvAbs, AbsPressure, 400);
        Sync();
        for (var i = 1; i <= 6; i++)
        {
            Add(EvAbs, AbsX, 1000 + (i * 150));
            Add(EvAbs, AbsY, 1000 + (i * 60));
            if (dropped && i == 3)
            {
                Add(EvSyn, SynDropped, 0);
            }

            Sync();
        }

        Add(EvKey, BtnTouch, 0);
        Add(EvAbs, AbsPressure, 0);
        Sync();
        micros += 3_000_000;
        Add(EvAbs, AbsX, 5000);
        Sync();
        return [.. events];
    }

    private static byte[] Event(long micros, ushort type, ushort code, int value)
    {
        var record = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(record, micros / 1_000_000);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), micros % 1_000_000);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(16), type);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(18), code);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(20), value);
        return record;
    }
}
