using System.Diagnostics;
using System.Globalization;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// A duplex sheet-fed scanner through SANE's command-line frontend <c>scanimage</c> in batch mode, one PNG per side
/// in feeder order. scanimage's stderr carries the SANE status text (sane_strstatus, SANE standard 1.0 section 4.3.7):
/// "Document feeder jammed" is a paper jam, "Document feeder out of documents" with no page is an empty feeder,
/// "open of device ... failed" is an unplugged scanner.
/// </summary>
public sealed class SaneScanner : DeviceBase, IDocumentScanner
{
    private readonly SaneScannerOptions _options;
    private volatile bool _open;

    public SaneScanner(string name, SaneScannerOptions options, TimeProvider timeProvider)
        : base(name, DeviceClass.DocumentScanner, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DeviceName))
        {
            throw new ArgumentException($"document scanner '{name}': DeviceName is required (see scanimage -L)", nameof(options));
        }

        _options = options;
        Capabilities = new DeviceCapabilities { Model = "SANE " + Redact.Credentials(options.DeviceName), Features = ["duplex", "feeder", "png", "maxDpi=600"] };
    }

    public override DeviceCapabilities Capabilities { get; }

    public override async Task<DeviceResult<Done>> OpenAsync(CancellationToken cancellationToken)
    {
        var probe = await ProbeAsync(cancellationToken).ConfigureAwait(false);
        _open = probe.IsSuccess;
        if (_open)
        {
            SetStatus(DeviceStatus.Online, "opened");
        }

        return probe;
    }

    public Task<DeviceResult<ScanBatch>> ScanAsync(DeviceClaim claim, ScanRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunClaimedAsync(claim, request.Timeout, ct => ScanCoreAsync(request, ct), cancellationToken);
    }

    protected override async Task<DeviceResult<Done>> CheckHealthCoreAsync(HealthCheckLevel level, CancellationToken cancellationToken) =>
        !_open ? DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, "not open")
        : level == HealthCheckLevel.Internal ? DeviceResult<Done>.Success(default)
        : await ProbeAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Opens the device without scanning (scanimage --dont-scan).</summary>
    private async Task<DeviceResult<Done>> ProbeAsync(CancellationToken cancellationToken)
    {
        var (exit, stderr) = await RunAsync(["--device-name=" + _options.DeviceName, "--dont-scan"], cancellationToken).ConfigureAwait(false);
        return exit == 0 ? DeviceResult<Done>.Success(default) : Unplugged(stderr).As<Done>();
    }

    private async Task<DeviceResult<ScanBatch>> ScanCoreAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateTempSubdirectory("kiosk-scan-");
        try
        {
            var sides = request.Duplex ? 2 : 1;
            string[] arguments =
            [
                "--device-name=" + _options.DeviceName,
                "--source", request.Duplex ? _options.DuplexSource : _options.SimplexSource,
                "--resolution", request.Dpi.ToString(CultureInfo.InvariantCulture),
                "--format=png",
                "--batch=" + Path.Combine(folder.FullName, "page-%d.png"),
                "--batch-count=" + (request.MaxSheets * sides).ToString(CultureInfo.InvariantCulture),
            ];
            var (exit, stderr) = await RunAsync(arguments, cancellationToken).ConfigureAwait(false);
            var files = folder.GetFiles("page-*.png").OrderBy(f => int.Parse(f.Name[5..^4], CultureInfo.InvariantCulture)).ToArray();
            if (stderr.Contains("open of device", StringComparison.Ordinal))
            {
                return Unplugged(stderr).As<ScanBatch>();
            }

            if (stderr.Contains("jammed", StringComparison.OrdinalIgnoreCase))
            {
                SetStatus(DeviceStatus.HardwareError, "paper jam");
                return DeviceResult<ScanBatch>.Failure(CompletionCode.HardwareError, $"paper jam after {files.Length} side(s); open the feeder cover and remove the sheet", "paper jam: " + LastLine(stderr));
            }

            // SANE_STATUS_NO_DOCS (exit 7) after some pages is the normal end of a feeder batch.
            var feederEmpty = stderr.Contains("out of documents", StringComparison.OrdinalIgnoreCase);
            if (files.Length == 0 && feederEmpty)
            {
                return DeviceResult<ScanBatch>.Failure(CompletionCode.NoMedia, "the feeder is empty", LastLine(stderr));
            }

            if ((exit != 0 && !feederEmpty) || files.Length == 0)
            {
                SetStatus(DeviceStatus.HardwareError, LastLine(stderr));
                return DeviceResult<ScanBatch>.Failure(CompletionCode.HardwareError, $"scanimage failed (exit {exit})", LastLine(stderr));
            }

            var pages = new List<ScannedPage>(files.Length);
            foreach (var file in files.Take(request.MaxSheets * sides))
            {
                var (image, thumbnail, problem) = file.Length > ScanLimits.Default.MaxBytes
                    ? (null, null, $"the file is {file.Length} bytes, more than the {ScanLimits.Default.MaxBytes} accepted")
                    : ScannedFiles.Decode(await File.ReadAllBytesAsync(file.FullName, cancellationToken).ConfigureAwait(false), request.Dpi, ScanLimits.Default, request.ThumbnailHeight);
                if (image is null)
                {
                    return DeviceResult<ScanBatch>.Failure(CompletionCode.InvalidData, $"{file.Name} is not a usable PNG image: {problem}", "bad image");
                }

                pages.Add(ScannedFiles.Page(pages.Count, request.Duplex, image, thumbnail));
            }

            SetStatus(DeviceStatus.Online, "scanned");
            return DeviceResult<ScanBatch>.Success(new ScanBatch(pages));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private DeviceResult<Done> Unplugged(string stderr)
    {
        SetStatus(DeviceStatus.NoDevice, LastLine(stderr));
        return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, $"scanner {_options.DeviceName} not found", LastLine(stderr));
    }

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault(l => l.StartsWith("scanimage:", StringComparison.Ordinal)) ?? text.Trim();

    private async Task<(int Exit, string Stderr)> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_options.ScanimagePath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in _options.Environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("scanimage did not start");
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stderr.ConfigureAwait(false));
    }
}
