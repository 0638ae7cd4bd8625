using System.CommandLine;
using Kiosk.Devices;
using Kiosk.Devices.DocumentImaging;
using Spectre.Console;

namespace Kiosk.Ctl.Capture;

/// <summary>
/// <c>kioskctl capture document</c>: finds the page in a photograph (<c>--image</c>) or a document-camera frame
/// (<c>--source</c>), writes the corrected page to <c>--out</c>, and prints its corners and quality.
/// </summary>
internal static class DocumentCaptureCommand
{
    public static Command Create()
    {
        var image = new Option<FileInfo?>("--image") { Description = "Analyse this photograph instead of capturing from the document camera." };
        var source = new Option<string>("--source") { Description = "Document camera to capture from: device index, path or URL.", DefaultValueFactory = _ => "0" };
        var output = new Option<FileInfo?>("--out") { Description = "Write the corrected page here (PNG, or JPEG for .jpg/.jpeg)." };
        var dpi = new Option<int>("--dpi") { Description = "Resolution of the corrected page, as if A4.", DefaultValueFactory = _ => 200 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("document", "Check the document camera: find the page, correct it, and score it.") { image, source, output, dpi, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var outFile = result.GetValue(output);
            var settings = new DocumentAnalysisSettings
            {
                Dpi = result.GetValue(dpi),
                Format = outFile?.Extension.ToUpperInvariant() is ".JPG" or ".JPEG" ? "jpeg" : "png",
            };
            var imagePath = result.GetValue(image);
            DocumentAnalysis analysis;
            if (imagePath is not null)
            {
                if (!imagePath.Exists)
                {
                    return Output.Error($"--image {imagePath.FullName} does not exist", ExitCodes.Usage);
                }

                analysis = DocumentAnalyzer.Analyze(await File.ReadAllBytesAsync(imagePath.FullName, cancellationToken).ConfigureAwait(false), settings);
            }
            else
            {
                var frame = await CaptureFrameAsync(result.GetValue(source)!, settings, cancellationToken).ConfigureAwait(false);
                if (!frame.IsSuccess)
                {
                    return Output.Error($"document camera '{result.GetValue(source)}': {frame.Code} {frame.Description}", ExitCodes.IoError);
                }

                analysis = DocumentAnalyzer.Analyze(frame.Value!.Image.Data.Span, settings);
            }

            if (outFile is not null && analysis.Image is { } page)
            {
                await File.WriteAllBytesAsync(outFile.FullName, page.Data.ToArray(), cancellationToken).ConfigureAwait(false);
            }

            var report = new
            {
                analysis.PageFound,
                // Why there is no page: noPage, or cutOff (a page running over the frame's edge).
                Miss = analysis.Miss switch { PageMiss.CutOff => "cutOff", PageMiss.NoPage => "noPage", _ => null },
                Corners = analysis.Corners.Select(c => new { c.X, c.Y }),
                analysis.Blur,
                analysis.Glare,
                Output = analysis.Image is null || outFile is null ? null : outFile.FullName,
                Width = analysis.Image?.Width,
                Height = analysis.Image?.Height,
                ElapsedMs = Math.Round(analysis.Elapsed.TotalMilliseconds, 1),
            };
            if (result.GetValue(json))
            {
                Output.Json(report);
            }
            else
            {
                var table = new Table().AddColumns("measure", "value");
                table.AddRow("page found", analysis.PageFound ? "[green]yes[/]" : analysis.Miss == PageMiss.CutOff ? "[red]no: the page runs over the frame's edge[/]" : "[red]no[/]");
                table.AddRow("corners", string.Join("  ", analysis.Corners.Select(c => $"({c.X:0},{c.Y:0})")));
                table.AddRow("blur (0 sharp - 1 blurred)", $"{analysis.Blur:0.00}");
                table.AddRow("glare (share saturated)", $"{analysis.Glare:0.000}");
                table.AddRow("corrected page", report.Output is null ? "-" : $"{report.Output} ({report.Width}x{report.Height})");
                AnsiConsole.Write(table);
            }

            return analysis.PageFound ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static async Task<DeviceResult<DocumentPage>> CaptureFrameAsync(string source, DocumentAnalysisSettings settings, CancellationToken cancellationToken)
    {
        await using var camera = new OpenCvDocumentCamera("documentCamera", new DocumentCameraOptions { Source = source }, TimeProvider.System);
        var opened = await camera.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.As<DocumentPage>();
        }

        var claim = await camera.ClaimAsync("kioskctl", TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        if (!claim.IsSuccess)
        {
            return claim.As<DocumentPage>();
        }

        using (claim.Value!)
        {
            return await camera.CaptureDocumentAsync(claim.Value!, new DocumentCaptureRequest { Dpi = settings.Dpi }, cancellationToken).ConfigureAwait(false);
        }
    }
}
