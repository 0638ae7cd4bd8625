using Kiosk.Devices;
using Kiosk.Devices.IdCardReader;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// The whole ID card read (find, select, read text and photo; twice, as a session asks again) against a "SAM" that answers
/// with the fuzz input. Contract: every outcome is a completion code; nothing reaches the HAL's safety net.
/// </summary>
internal sealed class SamReaderTarget : IFuzzTarget
{
    public string Name => "sam-reader";

    public string Covers => "drivers/Kiosk.Devices.IdCardReader/SamIdCardReader.cs ReadCardAsync";

    public void Run(byte[] input) => HalOutcome.Drive(async () =>
    {
        await using var reader = new SamIdCardReader("fuzz", new SerialLine(input), new SamIdCardReaderOptions(), TimeProvider.System);
        HalOutcome.Check(await reader.OpenAsync(CancellationToken.None));
        using var claim = (await reader.ClaimAsync("fuzz", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;
        HalOutcome.Check(await reader.ReadCardAsync(claim, new IdCardReadRequest(), CancellationToken.None));
        HalOutcome.Check(await reader.ReadCardAsync(claim, new IdCardReadRequest(), CancellationToken.None));
    });
}
