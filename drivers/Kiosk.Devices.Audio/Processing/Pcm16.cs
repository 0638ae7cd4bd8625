using System.Buffers.Binary;

namespace Kiosk.Devices.Audio;

/// <summary>16-bit signed little-endian PCM to float and back (the scale NAudio uses: 32768 = 1.0).</summary>
internal static class Pcm16
{
    public static void ToFloat(ReadOnlySpan<byte> pcm, Span<float> samples)
    {
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(pcm[(i * 2)..]) / 32768f;
        }
    }
}
