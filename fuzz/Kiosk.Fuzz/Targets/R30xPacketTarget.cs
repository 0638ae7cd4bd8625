using Kiosk.Devices.FingerprintReader;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// R30x packets off the serial line (module address FF FF FF FF), read one after another until the input ends.
/// Contract: each read returns a packet or throws InvalidDataException (bad length or checksum) or EndOfStreamException.
/// </summary>
internal sealed class R30xPacketTarget : IFuzzTarget
{
    public string Name => "r30x-packet";

    public string Covers => "drivers/Kiosk.Devices.FingerprintReader/R30xPacketReader.cs R30xPacketReader.ReadAsync";

    public void Run(byte[] input)
    {
        var reader = new R30xPacketReader(new MemoryStream(input), 0xFFFFFFFF);
        HalOutcome.ReadFramesToEnd(async () => await reader.ReadAsync(CancellationToken.None));
    }
}
