using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Fuzz.Harness;

namespace Kiosk.Fuzz.Targets;

/// <summary>
/// A whole eSCL scan (ScannerStatus, POST ScanJobs and its Location, NextDocument until 404, busy answers, redirects)
/// against a "scanner" whose HTTP answers are the fuzz input (<see cref="ScannerAnswers"/>). Contract: every outcome is a
/// completion code, nothing reaches the HAL's safety net, and no request goes to a host other than the scanner's.
/// </summary>
internal sealed class EsclScanTarget : IFuzzTarget
{
    private static readonly Uri Scanner = new("http://scanner.local/eSCL");

    public string Name => "escl-scan";

    public string Covers => "drivers/Kiosk.Devices.DocumentImaging/DocumentScanner/EsclScanner.cs ScanAsync (EsclAnswer, EsclXml, ScannedFiles)";

    public void Run(byte[] input) => HalOutcome.Drive(async () =>
    {
        var answers = new ScannerAnswers(input);
        var options = new EsclScannerOptions
        {
            BaseUri = Scanner, MaxDocumentBytes = 1024 * 1024, MaxImagePixels = 1_000_000, BusyRetryDelay = TimeSpan.Zero, MaxBusyRetries = 2,
        };
        await using var scanner = new EsclScanner("fuzz", options, TimeProvider.System, answers);
        HalOutcome.Check(await scanner.OpenAsync(CancellationToken.None));
        using var claim = (await scanner.ClaimAsync("fuzz", TimeSpan.FromSeconds(5), CancellationToken.None)).Value!;
        HalOutcome.Check(await scanner.ScanAsync(claim, new ScanRequest { MaxSheets = 2 }, CancellationToken.None));
        if (answers.Requests.FirstOrDefault(r => !string.Equals(r.IdnHost, Scanner.IdnHost, StringComparison.OrdinalIgnoreCase)) is { } elsewhere)
        {
            throw new ContractViolationException($"a request went to {elsewhere}, not to the scanner");
        }
    });
}
