namespace Kiosk.Devices.SignaturePad;

/// <summary>The CRC-32 of PNG chunks (ISO/IEC 15948 annex D: polynomial 0xEDB88320 reflected, init and final xor 0xFFFFFFFF).</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0xFFFFFFFF, data) ^ 0xFFFFFFFF;

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
