using Kiosk.Devices;
using Kiosk.Devices.SignaturePad;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// The signature pad's evdev chain (input_event records, pen state, the ISO/IEC 19794-7 series and its rendering)
/// over an event stream made of the fuzz input, capture after capture until one fails. Contract: every outcome is a
/// completion code, nothing reaches the HAL's safety net, and a signature's samples stay inside the pad's ranges with
/// t strictly increasing.
/// </summary>
internal sealed class EvdevSignatureTarget : IFuzzTarget
{
    private static readonly EvdevSignaturePadOptions Options = new();

    public string Name => "evdev-signature";

    public string Covers => "drivers/Kiosk.Devices.SignaturePad/EvdevSignaturePad.cs CaptureSignatureAsync";

    public void Run(byte[] input) => HalOutcome.Drive(async () =>
    {
        await using var pad = new EvdevSignaturePad("fuzz", new MemoryStream(input), Options, TimeProvider.System);
        HalOutcome.Check(await pad.OpenAsync(CancellationToken.None));
        using var claim = (await pad.ClaimAsync("fuzz", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;
        for (var capture = 0; capture < 8; capture++)
        {
            var result = HalOutcome.Check(await pad.CaptureSignatureAsync(claim, new SignatureRequest(), CancellationToken.None));
            if (result.Value is not { } signature)
            {
                return;
            }

            var samples = signature.Samples;
            for (var i = 0; i < samples.Count; i++)
            {
                var s = samples[i];
                if (s.X < 0 || s.X > Options.MaxX || s.Y < 0 || s.Y > Options.MaxY || s.Pressure < 0 || s.Pressure > Options.MaxPressure
                    || (s.PenDown != s.Pressure > 0) || (i > 0 && s.T <= samples[i - 1].T))
                {
                    throw new ContractViolationException($"sample {i} of {samples.Count} is {s}");
                }
            }
        }
    });
}
