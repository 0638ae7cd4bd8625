using System.Buffers.Binary;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Formats;

/// <summary>A test-side reader of RIFF/WAVE headers: the 'fmt ' chunk and the size of the 'data' chunk.</summary>
internal sealed record WavHeader(int Format, int Channels, int SampleRate, int ByteRate, int BlockAlign, int BitsPerSample, int DataLength)
{
    public TimeSpan Duration => TimeSpan.FromSeconds(DataLength / (double)ByteRate);

    public static WavHeader Parse(ReadOnlySpan<byte> wav)
    {
        Assert.That(wav[..4].SequenceEqual("RIFF"u8), Is.True, "RIFF");
        Assert.That(BinaryPrimitives.ReadInt32LittleEndian(wav[4..]), Is.EqualTo(wav.Length - 8), "RIFF size");
        Assert.That(wav[8..12].SequenceEqual("WAVE"u8), Is.True, "WAVE");
        WavHeader? format = null;
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var id = System.Text.Encoding.ASCII.GetString(wav.Slice(at, 4));
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav[(at + 4)..]);
            var body = wav.Slice(at + 8, size);
            if (id == "fmt ")
            {
                format = new WavHeader(
                    BinaryPrimitives.ReadUInt16LittleEndian(body),
                    BinaryPrimitives.ReadUInt16LittleEndian(body[2..]),
                    BinaryPrimitives.ReadInt32LittleEndian(body[4..]),
                    BinaryPrimitives.ReadInt32LittleEndian(body[8..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(body[12..]),
                    BinaryPrimitives.ReadUInt16LittleEndian(body[14..]),
                    0);
            }
            else if (id == "data")
            {
                Assert.That(format, Is.Not.Null, "'fmt ' before 'data'");
                return format! with { DataLength = size };
            }

            at += 8 + size + (size & 1);
        }

        Assert.Fail("no 'data' chunk");
        return null!;
    }
}
