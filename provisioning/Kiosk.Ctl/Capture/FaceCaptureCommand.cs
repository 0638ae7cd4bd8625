using System.CommandLine;
using Kiosk.Devices;
using Kiosk.Devices.FaceCamera;
using Spectre.Console;

namespace Kiosk.Ctl.Capture;

/// <summary>
/// <c>kioskctl capture face</c>: runs the face pipeline on a photograph (<c>--image</c>) or on a frame from the camera
/// (<c>--source</c>), and prints how many faces were found ("two faces"), every face box, every quality score, the
/// verdict and the reasons. <c>--detector</c> picks another detector than the default (BlazeFace) to compare.
/// </summary>
internal static class FaceCaptureCommand
{
    public static Command Create()
    {
        var image = new Option<FileInfo?>("--image") { Description = "Analyse this photograph instead of capturing from the camera." };
        var source = new Option<string>("--source") { Description = "Camera to capture from: device index, /dev/video path, RTSP URL or file pattern.", DefaultValueFactory = _ => "0" };
        var detector = new Option<FaceDetectorKind>("--detector") { Description = "Face detector: BlazeFace (default), Haar or Lbp.", DefaultValueFactory = _ => FaceDetectorKind.BlazeFace };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("face", "Check the face camera: detect faces and score their quality.") { image, source, detector, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var options = new FaceCameraOptions { Source = result.GetValue(source)!, Detector = result.GetValue(detector) };
            var problems = options.Validate().Where(p => !p.StartsWith(nameof(FaceCameraOptions.Source), StringComparison.Ordinal)).ToList();
            if (problems.Count > 0)
            {
                return Output.Error(string.Join("; ", problems), ExitCodes.IoError);
            }

            var imagePath = result.GetValue(image);
            byte[] bytes;
            if (imagePath is not null)
            {
                if (!imagePath.Exists)
                {
                    return Output.Error($"--image {imagePath.FullName} does not exist", ExitCodes.Usage);
                }

                bytes = await File.ReadAllBytesAsync(imagePath.FullName, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var captured = await CaptureAsync(options, cancellationToken).ConfigureAwait(false);
                if (!captured.IsSuccess)
                {
                    return Output.Error($"camera '{options.Source}': {captured.Code} {captured.Description}", ExitCodes.IoError);
                }

                bytes = captured.Value!.Image.Data.ToArray();
            }

            using var analyzer = new FaceAnalyzer(options);
            var analysis = analyzer.Analyze(bytes);
            if (result.GetValue(json))
            {
                Output.Json(analysis);
            }
            else
            {
                Print(analysis);
            }

            return analysis.Verdict == FaceVerdict.Accepted ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static async Task<DeviceResult<FaceCapture>> CaptureAsync(FaceCameraOptions options, CancellationToken cancellationToken)
    {
        await using var camera = new OpenCvFaceCamera("faceCamera", options, TimeProvider.System);
        var opened = await camera.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return opened.As<FaceCapture>();
        }

        var claim = await camera.ClaimAsync("kioskctl", TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        if (!claim.IsSuccess)
        {
            return claim.As<FaceCapture>();
        }

        using (claim.Value!)
        {
            return await camera.CaptureFaceAsync(claim.Value!, new FaceCaptureRequest(), cancellationToken).ConfigureAwait(false);
        }
    }

    private static void Print(FaceAnalysisResult analysis)
    {
        AnsiConsole.MarkupLine($"found: [bold]{Markup.Escape(analysis.Found)}[/] ({analysis.Detector})");
        var faces = new Table().AddColumns("face", "x", "y", "width", "height", "confidence");
        for (var i = 0; i < analysis.Faces.Count; i++)
        {
            var f = analysis.Faces[i];
            faces.AddRow($"{i + 1}", $"{f.X}", $"{f.Y}", $"{f.Width}", $"{f.Height}", f.Confidence is { } c ? $"{c:0.00}" : "-");
        }

        AnsiConsole.Write(faces);
        var scores = new Table().AddColumns("measure", "value");
        scores.AddRow("image", $"{analysis.ImageWidth}x{analysis.ImageHeight}");
        scores.AddRow("score (0-100)", $"{analysis.Score}");
        scores.AddRow("face width px", $"{analysis.FaceWidth}");
        scores.AddRow("eye distance px", $"{analysis.EyeDistance}{(analysis.EyesFound ? "" : " (estimated)")}");
        scores.AddRow("sharpness", $"{analysis.Sharpness:0.00} (Laplacian variance {analysis.LaplacianVariance:0.0})");
        scores.AddRow("brightness / contrast", $"{analysis.Brightness:0.00} / {analysis.Contrast:0.00}");
        scores.AddRow("roll / yaw degrees", $"{analysis.RollDegrees:0.0} / {analysis.YawDegrees:0.0}");
        scores.AddRow("centre offset x / y", $"{analysis.CentreOffsetX:0.00} / {analysis.CentreOffsetY:0.00}");
        AnsiConsole.Write(scores);
        var colour = analysis.Verdict == FaceVerdict.Accepted ? "green" : "red";
        AnsiConsole.MarkupLine($"verdict: [{colour}]{analysis.Verdict}[/]");
        foreach (var reason in analysis.Reasons)
        {
            AnsiConsole.MarkupLine($"  - {Markup.Escape(reason)}");
        }
    }
}
