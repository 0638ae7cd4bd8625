using Kiosk.Devices.IdCardReader;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// GA/T 467 SAM frames off the serial line, read one after another until the input ends. Contract: each read returns a
/// response or throws InvalidDataException (bad length or checksum: the driver resends) or EndOfStreamException.
/// </summary>
internal sealed class SamFrameTarget : IFuzzTarget
{
    public string Name => "sam-frame";

    public string Covers => "drivers/Kiosk.Devices.IdCardReader/SamFrameReader.cs SamFrameReader.ReadAsync";

    public void Run(byte[] input)
    {
        var reader = new SamFrameReader(new MemoryStream(input));
        HalOutcome.ReadFramesToEnd(async () => await reader.ReadAsync(CancellationToken.None));
    }
}
