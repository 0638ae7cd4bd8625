using System.Buffers.Binary;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Formats;

/// <summary>
/// A test-side reader of ISO/IEC 19794-4:2005 finger image records, written from the standard and independent of the
/// agent's writer: the 32-byte general record header (format "FIR\0", version "010\0", 6-byte record length, capture
/// device id, image acquisition level, number of fingers, scale units, scan and image resolutions, pixel depth,
/// compression, 2 reserved bytes), then per finger a 14-byte finger image header (4-byte data block length, position,
/// count of views, view number, quality, impression type, width, height, 1 reserved byte) and the image. Fails the
/// test on anything malformed; public so the driver test projects can read what their drivers write.
/// </summary>
public sealed record FingerImageRecordFile(
    long RecordLength,
    int CaptureDeviceId,
    int AcquisitionLevel,
    int ScaleUnits,
    int ScanResolutionX,
    int ScanResolutionY,
    int ImageResolutionX,
    int ImageResolutionY,
    int PixelDepth,
    int Compression,
    IReadOnlyList<FingerImageRecordFile.Finger> Fingers)
{
    public static FingerImageRecordFile Parse(ReadOnlySpan<byte> record)
    {
        Assert.That(record.Length, Is.GreaterThanOrEqualTo(32 + 14), "a general header and one finger header at least");
        Assert.That(record[..4].SequenceEqual("FIR\0"u8), Is.True, "format identifier");
        Assert.That(record[4..8].SequenceEqual("010\0"u8), Is.True, "version of the 2005 edition");
        long length = 0;
        foreach (var b in record.Slice(8, 6))
        {
            length = (length << 8) | b;
        }

        Assert.That(length, Is.EqualTo(record.Length), "record length");
        var deviceId = BinaryPrimitives.ReadUInt16BigEndian(record[14..]);
        var level = BinaryPrimitives.ReadUInt16BigEndian(record[16..]);
        int fingerCount = record[18];
        int units = record[19];
        var scanX = BinaryPrimitives.ReadUInt16BigEndian(record[20..]);
        var scanY = BinaryPrimitives.ReadUInt16BigEndian(record[22..]);
        var imageX = BinaryPrimitives.ReadUInt16BigEndian(record[24..]);
        var imageY = BinaryPrimitives.ReadUInt16BigEndian(record[26..]);
        int depth = record[28];
        int compression = record[29];
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(record[30..]), Is.Zero, "reserved bytes of the general header");
        Assert.That(fingerCount, Is.GreaterThanOrEqualTo(1), "number of fingers");

        var fingers = new List<Finger>();
        var at = 32;
        for (var f = 0; f < fingerCount; f++)
        {
            Assert.That(record.Length - at, Is.GreaterThanOrEqualTo(14), $"finger {f} header");
            var block = BinaryPrimitives.ReadUInt32BigEndian(record[at..]);
            Assert.That(block, Is.InRange(14u, (uint)(record.Length - at)), $"finger {f} data block length");
            var header = record.Slice(at, 14);
            Assert.That(header[13], Is.Zero, $"reserved byte of finger {f}");
            fingers.Add(new Finger(
                Position: header[4],
                ViewCount: header[5],
                ViewNumber: header[6],
                Quality: header[7],
                ImpressionType: header[8],
                Width: BinaryPrimitives.ReadUInt16BigEndian(header[9..]),
                Height: BinaryPrimitives.ReadUInt16BigEndian(header[11..]),
                Image: record.Slice(at + 14, (int)block - 14).ToArray()));
            at += (int)block;
        }

        Assert.That(at, Is.EqualTo(record.Length), "every byte accounted for");
        return new FingerImageRecordFile(length, deviceId, level, units, scanX, scanY, imageX, imageY, depth, compression, fingers);
    }

    public sealed record Finger(int Position, int ViewCount, int ViewNumber, int Quality, int ImpressionType, int Width, int Height, byte[] Image);
}
