namespace Kiosk.Devices;

/// <summary>Document camera (高拍仪): one corrected page per capture.</summary>
public interface IDocumentCamera : IDevice
{
    Task<DeviceResult<DocumentPage>> CaptureDocumentAsync(DeviceClaim claim, DocumentCaptureRequest request, CancellationToken cancellationToken);
}

public sealed record DocumentCaptureRequest
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);
    public int Dpi { get; init; } = 200;
    public bool Binarize { get; init; }
}

/// <summary>A captured page and its quality: page found, blur and glare in 0..1 (0 = none).</summary>
public sealed record DocumentPage(CapturedImage Image, bool PageFound, double Blur, double Glare);
