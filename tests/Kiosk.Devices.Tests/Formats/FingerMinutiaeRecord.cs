using System.Buffers.Binary;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Formats;

/// <summary>
/// A test-side reader of ISO/IEC 19794-2:2005 finger minutiae records (24-byte record header,
/// 4-byte finger view headers, 6-byte minutiae, 2-byte extended data length), written from the standard.
/// </summary>
internal sealed record FingerMinutiaeRecord(int Width, int Height, int XResolution, int YResolution, IReadOnlyList<FingerMinutiaeRecord.View> Views)
{
    public static FingerMinutiaeRecord Parse(ReadOnlySpan<byte> record)
    {
        Assert.That(record.Length, Is.GreaterThanOrEqualTo(24 + 4 + 2));
        Assert.That(record[..4].SequenceEqual("FMR\0"u8), Is.True, "format identifier");
        Assert.That(record[4..8].SequenceEqual(" 20\0"u8), Is.True, "version");
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(record[8..]), Is.EqualTo((uint)record.Length), "record length");
        var width = BinaryPrimitives.ReadUInt16BigEndian(record[14..]);
        var height = BinaryPrimitives.ReadUInt16BigEndian(record[16..]);
        var xResolution = BinaryPrimitives.ReadUInt16BigEndian(record[18..]);
        var yResolution = BinaryPrimitives.ReadUInt16BigEndian(record[20..]);
        int viewCount = record[22];
        Assert.That(record[23], Is.Zero, "reserved byte");

        var views = new List<View>();
        var at = 24;
        for (var v = 0; v < viewCount; v++)
        {
            int finger = record[at];
            var viewNumber = record[at + 1] >> 4;
            var impression = record[at + 1] & 0x0F;
            int quality = record[at + 2];
            int count = record[at + 3];
            at += 4;
            var minutiae = new List<Point>();
            for (var m = 0; m < count; m++)
            {
                var first = BinaryPrimitives.ReadUInt16BigEndian(record[at..]);
                var second = BinaryPrimitives.ReadUInt16BigEndian(record[(at + 2)..]);
                Assert.That(second >> 14, Is.Zero, "reserved bits of y");
                minutiae.Add(new Point(first >> 14, first & 0x3FFF, second & 0x3FFF, record[at + 4], record[at + 5]));
                at += 6;
            }

            var extended = BinaryPrimitives.ReadUInt16BigEndian(record[at..]);
            at += 2 + extended;
            views.Add(new View(finger, viewNumber, impression, quality, minutiae));
        }

        Assert.That(at, Is.EqualTo(record.Length), "every byte accounted for");
        return new FingerMinutiaeRecord(width, height, xResolution, yResolution, views);
    }

    internal sealed record View(int Finger, int ViewNumber, int ImpressionType, int Quality, IReadOnlyList<Point> Minutiae);

    internal sealed record Point(int Type, int X, int Y, int Angle, int Quality);
}
