using System.Buffers.Binary;

namespace Kiosk.Drivers.Input.Tests.SignaturePad;

/// <summary>
/// Writes what a pen digitiser's evdev node delivers: for each report only the changed keys and axes,
/// then SYN_REPORT (codes from linux/input-event-codes.h), as 24-byte 64-bit input_event records.
/// </summary>
internal sealed class EvdevRecording
{
    public const ushort EvSyn = 0, EvKey = 1, EvAbs = 3, SynReport = 0, SynDropped = 3;
    public const ushort BtnToolPen = 0x140, BtnTouch = 0x14a, AbsX = 0, AbsY = 1, AbsPressure = 0x18;

    /// <summary>Event times count from an arbitrary wall-clock second, as CLOCK_REALTIME would.</summary>
    private const long EpochMicroseconds = 1_767_225_600_000_000;

    private readonly List<FeedItem> _items = [];
    private int _x = -1, _y = -1, _pressure = -1, _touch = -1, _proximity = -1;

    public IReadOnlyList<FeedItem> Items => _items;

    /// <summary>Reports written so far with the pen down (touching with pressure).</summary>
    public int PenDownReports { get; private set; }

    /// <summary>Reports written so far while the pen was in proximity or touching.</summary>
    public int Reports { get; private set; }

    public TimeSpan End { get; private set; }

    public static byte[] Record(TimeSpan at, ushort type, ushort code, int value)
    {
        var record = new byte[24];
        var us = EpochMicroseconds + (long)at.TotalMicroseconds;
        BinaryPrimitives.WriteInt64LittleEndian(record, us / 1_000_000);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), us % 1_000_000);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(16), type);
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(18), code);
        BinaryPrimitives.WriteInt32LittleEndian(record.AsSpan(20), value);
        return record;
    }

    public EvdevRecording Report(TimeSpan at, int x, int y, int pressure, bool touch, bool proximity = true)
    {
        var events = new List<byte[]>();
        Change(events, at, EvKey, BtnToolPen, proximity ? 1 : 0, ref _proximity);
        Change(events, at, EvKey, BtnTouch, touch ? 1 : 0, ref _touch);
        Change(events, at, EvAbs, AbsX, x, ref _x);
        Change(events, at, EvAbs, AbsY, y, ref _y);
        Change(events, at, EvAbs, AbsPressure, pressure, ref _pressure);
        events.Add(Record(at, EvSyn, SynReport, 0));
        _items.Add(new FeedItem(at, [.. events.SelectMany(e => e)]));
        PenDownReports += touch && pressure > 0 ? 1 : 0;
        Reports += touch || proximity ? 1 : 0;
        End = at;
        return this;
    }

    /// <summary>
    /// A handwriting-like signature from <paramref name="start"/>: <paramref name="strokes"/> strokes of
    /// looping cursive at about 100 Hz with pressure ramps, hovering between strokes (shorter than any
    /// idle time), then the pen leaves proximity.
    /// </summary>
    public EvdevRecording Signature(TimeSpan start, int strokes = 3, int seed = 1)
    {
        var random = new Random(seed);
        var t = start;
        double x = 800;
        for (var stroke = 0; stroke < strokes; stroke++)
        {
            var steps = random.Next(60, 90);
            var loops = 1.5 + (2 * random.NextDouble());
            for (var i = 0; i < steps; i++)
            {
                var u = i / (double)(steps - 1);
                var phase = 2 * Math.PI * loops * u;
                var up = 1200 * (0.5 - (0.5 * Math.Cos(phase)));
                var envelope = Math.Min(1, Math.Min(u, 1 - u) * 10);
                var pressure = (int)Math.Clamp((0.25 + (0.6 * envelope)) * 1023, 1, 1023);
                Report(t, (int)(x + (1600 * u) + (0.25 * up)), (int)(3500 - up), pressure, touch: true);
                t += TimeSpan.FromMilliseconds(10 + (random.Next(10) == 0 ? 1 : 0));
            }

            Report(t, _x, _y, 0, touch: false);
            t += TimeSpan.FromMilliseconds(10);
            x += 1900;
            if (stroke < strokes - 1)
            {
                for (var i = 0; i < 25; i++)
                {
                    Report(t, (int)(x - 300 + (12 * i)), 3300 - (8 * i), 0, touch: false);
                    t += TimeSpan.FromMilliseconds(10);
                }
            }
        }

        return Report(t, _x, _y, 0, touch: false, proximity: false);
    }

    public EvdevRecording Raw(TimeSpan at, byte[] bytes)
    {
        _items.Add(new FeedItem(at, bytes));
        return this;
    }

    public EvdevRecording EndOfStream(TimeSpan at)
    {
        _items.Add(new FeedItem(at, End: true));
        return this;
    }

    public EvdevRecording Fail(TimeSpan at, Exception error)
    {
        _items.Add(new FeedItem(at, Error: error));
        return this;
    }

    private static void Change(List<byte[]> events, TimeSpan at, ushort type, ushort code, int value, ref int last)
    {
        if (value != last)
        {
            events.Add(Record(at, type, code, value));
            last = value;
        }
    }
}
