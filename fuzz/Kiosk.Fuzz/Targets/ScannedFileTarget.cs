using Kiosk.Devices.DocumentImaging;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// A scanned document (an eSCL NextDocument body or a scanimage file) as the scanners check and decode it, with limits
/// small enough that the decoder stays quick. Contract: never throws; an image comes back only within the limits, a
/// refusal with its reason.
/// </summary>
internal sealed class ScannedFileTarget : IFuzzTarget
{
    private static readonly ScanLimits Limits = new(MaxBytes: 1024 * 1024, MaxPixels: 1024 * 1024);

    public string Name => "scanned-file";

    public string Covers => "drivers/Kiosk.Devices.DocumentImaging/DocumentScanner/ScannedFiles.cs ScannedFiles.Decode (ImageHeader)";

    public void Run(byte[] input)
    {
        var (image, problem) = ScannedFiles.Decode(input, 200, Limits);
        if (image is null ? problem is null : problem is not null || (long)image.Width * image.Height > Limits.MaxPixels)
        {
            throw new ContractViolationException($"Decode returned {(image is null ? "no image" : $"{image.Width} x {image.Height}")} and {(problem ?? "no reason")}");
        }
    }
}
