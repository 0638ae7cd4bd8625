using System.Buffers.Binary;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// Writes an ISO/IEC 19794-2:2005 finger minutiae record with one finger view and no extended data:
/// a 24-byte record header, a 4-byte finger view header, 6 bytes per minutia and a 2-byte extended
/// data length (all big-endian, section 7).
/// </summary>
internal static class MinutiaeRecord
{
    private const int RecordHeaderLength = 24;
    private const int ViewHeaderLength = 4;
    private const int MinutiaLength = 6;

    public static byte[] Write(int width, int height, int dpi, FingerPosition finger, int quality, IReadOnlyList<Minutia> minutiae)
    {
        if (minutiae.Count > 255)
        {
            throw new ArgumentException("a finger view holds at most 255 minutiae", nameof(minutiae));
        }

        var length = RecordHeaderLength + ViewHeaderLength + (MinutiaLength * minutiae.Count) + 2;
        var record = new byte[length];
        var span = record.AsSpan();

        "FMR\0"u8.CopyTo(span);
        " 20\0"u8.CopyTo(span[4..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], (uint)length);
        // Capture equipment: 4 bits of certification flags (none) and a 12-bit device type id (0, unreported).
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(span[14..], (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(span[16..], (ushort)height);
        // Resolution is in pixels per centimetre: 500 dpi is 197 px/cm.
        var pixelsPerCentimetre = (ushort)Math.Round(dpi / 2.54);
        BinaryPrimitives.WriteUInt16BigEndian(span[18..], pixelsPerCentimetre);
        BinaryPrimitives.WriteUInt16BigEndian(span[20..], pixelsPerCentimetre);
        span[22] = 1; // number of finger views
        span[23] = 0; // reserved

        var view = span[RecordHeaderLength..];
        view[0] = (byte)finger;
        view[1] = 0; // view number 0 (high nibble), impression type 0: live-scan plain (low nibble)
        view[2] = (byte)Math.Clamp(quality, 0, 100);
        view[3] = (byte)minutiae.Count;

        var at = RecordHeaderLength + ViewHeaderLength;
        foreach (var m in minutiae)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)(((int)m.Type << 14) | (m.X & 0x3FFF)));
            BinaryPrimitives.WriteUInt16BigEndian(span[(at + 2)..], (ushort)(m.Y & 0x3FFF));
            span[at + 4] = m.Angle;
            span[at + 5] = m.Quality;
            at += MinutiaLength;
        }

        BinaryPrimitives.WriteUInt16BigEndian(span[at..], 0); // extended data block length: none
        return record;
    }
}
