namespace Kiosk.Devices.Tests.Formats;

/// <summary>Bitwise CRC-32 (PNG spec annex D), slow and obviously right.</summary>
internal static class TestCrc32
{
    public static uint Compute(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}
