using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Devices;

namespace Kiosk.Agent.Session;

/// <summary>
/// The document step. Where the person's level names document types (platform policy) and the kiosk has a document camera
/// (高拍仪), the camera takes one corrected page per type, in the policy's order: each call of the step captures the type
/// the screen asks for now and completes it; the step itself is done after the last type. Otherwise (no document camera,
/// or no types) the sheet-fed scanner takes the whole feeder at once, as it always did. With both fitted the camera wins
/// for typed documents: the kiosk vendor fits it for exactly this, one document at a time, each one named.
/// </summary>
public sealed partial class CheckInSession
{
    /// <summary>
    /// A page blurrier than this (<see cref="DocumentPage.Blur"/>, 0.5 = Laplacian variance 100) is taken again: printed
    /// text in focus measures far below it, a page moved or out of focus by a few pixels above.
    /// </summary>
    internal const double MaxDocumentBlur = 0.5;

    private int _documentIndex;
    private readonly List<string> _documentsTaken = [];

    /// <summary>The device that takes this person's documents: the document camera for typed documents when one is fitted, else the scanner.</summary>
    public DeviceClass DocumentDevice =>
        _levelPolicy is { DocumentTypes.Count: > 0 } && _devices.DocumentCamera is not UnavailableDevice { IsFitted: false }
            ? DeviceClass.DocumentCamera
            : DeviceClass.DocumentScanner;

    /// <summary>
    /// The document the person is asked to place under the camera now: its type, its position (1-based) and how many there
    /// are; null when the step is not next or the scanner takes the documents.
    /// </summary>
    public (string Type, int Number, int Count)? DocumentToPlace =>
        NextStep == CheckInStep.DocumentScan && DocumentDevice == DeviceClass.DocumentCamera && _levelPolicy is { } level && _documentIndex < level.DocumentTypes.Count
            ? (level.DocumentTypes[_documentIndex], _documentIndex + 1, level.DocumentTypes.Count)
            : null;

    public Task<StepOutcome> ScanDocumentsAsync(CancellationToken cancellationToken) =>
        DocumentDevice == DeviceClass.DocumentCamera ? PhotographDocumentAsync(cancellationToken) : FeedDocumentsAsync(cancellationToken);

    private Task<StepOutcome> PhotographDocumentAsync(CancellationToken cancellationToken) => RunStepAsync(CheckInStep.DocumentScan, async ct =>
    {
        var types = _levelPolicy!.DocumentTypes;
        var type = types[_documentIndex];
        var (zh, en) = DocumentTypeNames.Of(type);
        var request = new DocumentCaptureRequest { Timeout = _options.StepTimeout, ThumbnailHeight = SessionActivities.ThumbnailHeight };
        var shot = await WithClaimAsync(_devices.DocumentCamera, claim => _devices.DocumentCamera.CaptureDocumentAsync(claim, request, ct), ct).ConfigureAwait(false);
        if (!shot.IsSuccess)
        {
            var hint = shot.DeviceError == DocumentCameraErrors.CutOff
                ? $"{zh}没有完整拍到，请将整页放在拍摄区内 / Part of the {en} is out of view; move the whole page inside the frame"
                : $"请将{zh}平放在高拍仪下 / Please lay the {en} flat under the document camera";
            return Failed(CheckInStep.DocumentScan, shot, hint);
        }

        var page = shot.Value!;
        if (page.Blur > MaxDocumentBlur)
        {
            return Outcome(StepResult.Retry, $"{zh}拍得不清楚，请放平后不要移动 / The {en} came out blurred; lay it flat and keep it still");
        }

        _evidence!.Attach("document-" + type, page.Image.ContentType, page.Image.Data, biometric: false);
        _documentsTaken.Add(type);
        _documentIndex++;
        // The person sees what was taken; the thumbnail goes to the screen only, never into the record.
        ReportActivity(SessionActivities.Document(type, _documentIndex, types.Count, page));
        if (_documentIndex < types.Count)
        {
            var (nextZh, nextEn) = DocumentTypeNames.Of(types[_documentIndex]);
            ViewChanged?.Invoke(this, EventArgs.Empty);
            return Outcome(StepResult.Completed, $"{zh}已拍摄，请放置{nextZh} / {Capitalized(en)} taken; now place the {nextEn}");
        }

        var documents = new JsonArray([.. _documentsTaken.Select(t => new JsonObject { ["type"] = t, ["pages"] = 1 })]);
        _evidence.StepDone(CheckInStep.DocumentScan, _timeProvider.GetUtcNow(), new JsonObject { ["device"] = "documentCamera", ["pages"] = _documentsTaken.Count, ["documents"] = documents });
        return Completed("材料已拍摄 / Documents captured");
    }, cancellationToken);

    private Task<StepOutcome> FeedDocumentsAsync(CancellationToken cancellationToken) => RunStepAsync(CheckInStep.DocumentScan, async ct =>
    {
        var request = new ScanRequest { Timeout = _options.StepTimeout, ThumbnailHeight = SessionActivities.ThumbnailHeight };
        var scan = await WithClaimAsync(_devices.DocumentScanner, claim => _devices.DocumentScanner.ScanAsync(claim, request, ct), ct).ConfigureAwait(false);
        if (!scan.IsSuccess)
        {
            return Failed(CheckInStep.DocumentScan, scan, "请将材料放入进纸器 / Put your documents in the feeder");
        }

        foreach (var page in scan.Value!.Pages)
        {
            _evidence!.Attach(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"document-{page.Sheet}-{page.Side.ToString().ToLowerInvariant()}"), page.Image.ContentType, page.Image.Data, biometric: false);
        }

        _evidence!.StepDone(CheckInStep.DocumentScan, _timeProvider.GetUtcNow(), new JsonObject { ["device"] = "documentScanner", ["pages"] = scan.Value.Pages.Count });
        // The person sees what was taken; the thumbnails go to the screen only, never into the record.
        ReportActivity(SessionActivities.Pages(scan.Value.Pages));
        return Completed("材料已扫描 / Documents scanned");
    }, cancellationToken);

    private void ForgetDocuments()
    {
        _documentIndex = 0;
        _documentsTaken.Clear();
    }

    private static string Capitalized(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
