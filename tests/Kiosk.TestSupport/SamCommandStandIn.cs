namespace Kiosk.TestSupport;

/// <summary>
/// The device end of a GA/T 467 SAM (ID card reader): takes the host's commands off the line and names each
/// "CMD PARA" (e.g. "12 FF", read SAM id); the subclass answers them.
/// </summary>
public abstract class SamCommandStandIn(string devicePath) : DeviceStandIn(devicePath)
{
    protected override (string Name, byte[] Request, int Consumed)? TakeRequest(List<byte> buffer)
    {
        // Host commands without data are 10 bytes: preamble AA AA AA 96 69, length 00 03, CMD, PARA, checksum.
        var start = buffer.IndexOf(0xAA);
        if (start < 0 || buffer.Count - start < 10)
        {
            return null;
        }

        var frame = buffer.GetRange(start, 10).ToArray();
        return ($"{frame[7]:X2} {frame[8]:X2}", frame, start + 10);
    }
}
