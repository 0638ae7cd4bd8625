using System.Device.I2c;

namespace Kiosk.Drivers.Input.Tests.Gpio;

/// <summary>
/// An SHT4x at 0x44 on a simulated I2C bus (Sensirion SHT4x datasheet: command 0x94 soft reset,
/// 0xFD measure T and RH at high repeatability, answer 6 bytes: T MSB, T LSB, CRC, RH MSB, RH LSB, CRC;
/// CRC-8 polynomial 0x31, init 0xFF). Faults: a corrupted CRC or a bus error (no acknowledge) for the next measurement.
/// </summary>
internal sealed class SimulatedSht4x : I2cDevice
{
    private byte[]? _answer;

    public double Celsius { get; set; } = 24.5;

    public double HumidityPercent { get; set; } = 41.2;

    public bool CorruptNextCrc { get; set; }

    public bool NoAcknowledge { get; set; }

    public int Resets { get; private set; }

    public bool Disposed { get; private set; }

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x44);

    public override byte ReadByte() => throw new NotSupportedException();

    public override void Read(Span<byte> buffer)
    {
        if (_answer is null || buffer.Length != _answer.Length)
        {
            throw new IOException("no acknowledge: nothing to read");
        }

        _answer.CopyTo(buffer);
        _answer = null;
    }

    public override void WriteByte(byte value)
    {
        if (NoAcknowledge)
        {
            NoAcknowledge = false;
            throw new IOException("Error 121 performing I2C data transfer (no acknowledge).");
        }

        switch (value)
        {
            case 0x94:
                Resets++;
                break;
            case 0xFD:
                _answer = Measurement();
                break;
            default:
                throw new IOException($"command 0x{value:X2} not acknowledged");
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        foreach (var b in buffer)
        {
            WriteByte(b);
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0xFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80) != 0 ? (byte)((crc << 1) ^ 0x31) : (byte)(crc << 1);
            }
        }

        return crc;
    }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }

    private byte[] Measurement()
    {
        // Datasheet section 4.6: T = -45 + 175 * St / 65535; RH = -6 + 125 * Srh / 65535.
        var st = (ushort)Math.Round((Celsius + 45) * 65535 / 175);
        var srh = (ushort)Math.Round((HumidityPercent + 6) * 65535 / 125);
        byte[] answer = [(byte)(st >> 8), (byte)st, 0, (byte)(srh >> 8), (byte)srh, 0];
        answer[2] = Crc8(answer.AsSpan(0, 2));
        answer[5] = Crc8(answer.AsSpan(3, 2));
        if (CorruptNextCrc)
        {
            CorruptNextCrc = false;
            answer[2] ^= 0x5A;
        }

        return answer;
    }
}
