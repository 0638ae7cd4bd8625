using Kiosk.Devices;
using Kiosk.Devices.FingerprintReader;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// A whole fingerprint capture (GenImg, Img2Tz, UpImage and the image upload's data packets, then the PNG and the
/// quality) against a "module" that answers with the fuzz input. Contract: every outcome is a completion code, nothing
/// reaches the HAL's safety net, and a capture is a 256 x 288 PNG with a quality of 0..100.
/// </summary>
internal sealed class R30xCaptureTarget : IFuzzTarget
{
    public string Name => "r30x-capture";

    public string Covers => "drivers/Kiosk.Devices.FingerprintReader/R30xFingerprintReader.cs CaptureFingerprintAsync (UploadImageAsync)";

    public void Run(byte[] input) => HalOutcome.Drive(async () =>
    {
        await using var reader = new R30xFingerprintReader("fuzz", new SerialLine(input), new R30xFingerprintReaderOptions(), TimeProvider.System);
        HalOutcome.Check(await reader.OpenAsync(CancellationToken.None));
        using var claim = (await reader.ClaimAsync("fuzz", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;
        var capture = HalOutcome.Check(await reader.CaptureFingerprintAsync(claim, new FingerprintRequest(), CancellationToken.None));
        if (capture.Value is { } print && (print.Image.Width != 256 || print.Image.Height != 288 || print.Quality is < 0 or > 100 || print.Image.ContentType != "image/png"))
        {
            throw new ContractViolationException($"a capture of {print.Image.Width} x {print.Image.Height} {print.Image.ContentType}, quality {print.Quality}");
        }
    });
}
