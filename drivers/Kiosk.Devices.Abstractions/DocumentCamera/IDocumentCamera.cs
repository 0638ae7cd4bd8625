namespace Kiosk.Devices;

/// <summary>
/// Document camera (高拍仪): one corrected page per capture. A frame without a page is <see cref="CompletionCode.NoMedia"/>
/// with device error <see cref="DocumentCameraErrors.NoPage"/>, or <see cref="DocumentCameraErrors.CutOff"/> when a page
/// runs out of the camera's view.
/// </summary>
public interface IDocumentCamera : IDevice
{
    Task<DeviceResult<DocumentPage>> CaptureDocumentAsync(DeviceClaim claim, DocumentCaptureRequest request, CancellationToken cancellationToken);
}

public sealed record DocumentCaptureRequest
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
    public int Dpi { get; init; } = 200;
    public bool Binarize { get; init; }

    /// <summary>
    /// When above 0, the page also comes with a small JPEG <see cref="DocumentPage.Thumbnail"/> at most this many pixels
    /// tall, for the screen to show what was taken; a driver that cannot make one leaves it null. 0 (default): none.
    /// </summary>
    public int ThumbnailHeight { get; init; }
}

/// <summary>A captured page and its quality: page found, blur and glare in 0..1 (0 = none).</summary>
public sealed record DocumentPage(CapturedImage Image, bool PageFound, double Blur, double Glare)
{
    /// <summary>A small preview of <see cref="Image"/> when the request asked for one; never the evidence.</summary>
    public CapturedImage? Thumbnail { get; init; }
}

/// <summary>The device errors of a document camera's <see cref="CompletionCode.NoMedia"/>, for the words the person is shown.</summary>
public static class DocumentCameraErrors
{
    /// <summary>No page in the frame.</summary>
    public const string NoPage = "noPage";

    /// <summary>A page runs over the edge of the frame: part of it is not in view.</summary>
    public const string CutOff = "cutOff";
}
