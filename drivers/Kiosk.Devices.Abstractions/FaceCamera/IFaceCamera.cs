namespace Kiosk.Devices;

/// <summary>Face capture camera: returns the best frame of a burst with its quality scores.</summary>
public interface IFaceCamera : IDevice
{
    Task<DeviceResult<FaceCapture>> CaptureFaceAsync(DeviceClaim claim, FaceCaptureRequest request, CancellationToken cancellationToken);
}

public sealed record FaceCaptureRequest
{
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Frames to look at before picking the best one.</summary>
    public int BurstFrames { get; init; } = 5;
}

/// <summary>One face capture: the JPEG/PNG image and its quality (ISO/IEC 19794-5 / 29794-5 spirit).</summary>
public sealed record FaceCapture(CapturedImage Image, FaceQuality Quality);

/// <summary>Quality scores of a face image. Sizes are in pixels, sharpness and brightness 0..1, score 0..100.</summary>
public sealed record FaceQuality
{
    public required int FaceCount { get; init; }
    public int FaceWidth { get; init; }
    public int EyeDistance { get; init; }
    public double Sharpness { get; init; }
    public double Brightness { get; init; }
    public double YawDegrees { get; init; }
    public required int Score { get; init; }
    public bool LivenessPassed { get; init; }
}
