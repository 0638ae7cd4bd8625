using System.Buffers.Binary;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// The least of a GA/T 467 SAM at the device end of a <see cref="SocatPair"/>: it answers "read SAM id"
/// (CMD 12 PARA FF) with a real frame, which is what the reader's health check asks. Frame layout as in the driver:
/// AA AA AA 96 69, length (2, big-endian), SW1 SW2 SW3, data, XOR checksum over length through data.
/// </summary>
internal sealed class ProbeSamStandIn(string devicePath) : SamCommandStandIn(devicePath)
{
    public const string SamId = "0501000000000000000000000000000A";

    public static byte[] Response(byte sw3, ReadOnlySpan<byte> data)
    {
        var length = 3 + data.Length + 1;
        var frame = new byte[7 + length];
        new byte[] { 0xAA, 0xAA, 0xAA, 0x96, 0x69 }.CopyTo(frame, 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(5), (ushort)length);
        frame[7] = 0x00;
        frame[8] = 0x00;
        frame[9] = sw3;
        data.CopyTo(frame.AsSpan(10));
        byte sum = 0;
        foreach (var b in frame.AsSpan(5, frame.Length - 6))
        {
            sum ^= b;
        }

        frame[^1] = sum;
        return frame;
    }

    protected override IEnumerable<byte[]> Answer(string name, byte[] request) =>
        [name == "12 FF" ? Response(0x90, Convert.FromHexString(SamId)) : Response(0x21, [])];
}
