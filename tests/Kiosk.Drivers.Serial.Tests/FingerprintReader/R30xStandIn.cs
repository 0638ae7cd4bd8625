using System.Buffers.Binary;
using Kiosk.Devices.FingerprintReader;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

/// <summary>An R30x module at the device end of the pty pair: real packets, a synthetic 4-bit ridge image.</summary>
internal sealed class R30xStandIn(string devicePath) : DeviceStandIn(devicePath)
{
    private const uint Address = 0xFFFFFFFF;

    public R30xFault Fault { get; set; }

    /// <summary>Concentric ridges, 4 bits per pixel packed two a byte, high nibble first, on a light background.</summary>
    public static byte[] SyntheticImage()
    {
        var packed = new byte[FingerImage.PackedLength];
        for (var y = 0; y < FingerImage.Height; y++)
        {
            for (var x = 0; x < FingerImage.Width; x += 2)
            {
                packed[((y * FingerImage.Width) + x) / 2] = (byte)((Pixel(x, y) << 4) | Pixel(x + 1, y));
            }
        }

        return packed;

        static int Pixel(int x, int y)
        {
            double dx = x - 128, dy = y - 144;
            var r = Math.Sqrt((dx * dx) + (dy * dy));
            return r > 120 ? 15 : (int)Math.Round(7.5 + (7.5 * Math.Sin(r / 1.6)));
        }
    }

    public static byte[] Ack(byte confirmation, params byte[] data) =>
        new R30xPacket(R30xPacket.Acknowledge, [confirmation, .. data]).Encode(Address);

    protected override (string Name, byte[] Request, int Consumed)? TakeRequest(List<byte> buffer)
    {
        var start = buffer.IndexOf(0xEF);
        if (start < 0 || buffer.Count - start < R30xPacket.PrefixLength)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(buffer.GetRange(start + 7, 2).ToArray());
        if (buffer.Count - start < R30xPacket.PrefixLength + length)
        {
            return null;
        }

        var packet = buffer.GetRange(start, R30xPacket.PrefixLength + length).ToArray();
        return ($"{packet[9]:X2}", packet, start + packet.Length);
    }

    protected override IEnumerable<byte[]> Answer(string name, byte[] request)
    {
        var fault = Fault;
        if (fault == R30xFault.Silent)
        {
            yield break;
        }

        if (fault == R30xFault.EnrollFailedOnce && name == "01")
        {
            Fault = R30xFault.None;
            yield return Ack(0x03);
            yield break;
        }

        switch (name)
        {
            case "01":
                yield return fault == R30xFault.BadChecksum ? Corrupt(Ack(0x00)) : Ack(fault == R30xFault.NoFinger ? (byte)0x02 : (byte)0x00);
                break;
            case "02":
                yield return Ack(fault == R30xFault.Messy ? (byte)0x06 : (byte)0x00);
                break;
            case "0A":
                yield return Ack(0x00);
                if (fault == R30xFault.SilentOnUpload)
                {
                    yield break;
                }

                var image = fault switch
                {
                    R30xFault.ShortUpload => SyntheticImage()[..(100 * 128)],
                    R30xFault.SmallerSensor => new byte[192 * 192 / 2],
                    R30xFault.LargerSensor => [.. SyntheticImage(), .. new byte[256 * 72 / 2]],
                    _ => SyntheticImage(),
                };
                for (var offset = 0; offset < image.Length; offset += 128)
                {
                    var id = offset + 128 >= image.Length ? R30xPacket.EndOfData : R30xPacket.Data;
                    yield return new R30xPacket(id, image[offset..(offset + 128)]).Encode(Address);
                }

                break;
            case "0F":
                yield return Ack(0x00, new byte[16]);
                break;
            default:
                yield return Ack(0x00);
                break;
        }
    }

    private static byte[] Corrupt(byte[] packet)
    {
        var copy = (byte[])packet.Clone();
        copy[^1] ^= 0x5A;
        return copy;
    }
}
