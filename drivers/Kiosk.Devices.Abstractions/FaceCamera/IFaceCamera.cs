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

    /// <summary>
    /// Receives the frames the camera looks at while it waits for a good face, for the screen's live preview; called on the
    /// capture's own thread, so it must return at once. Preview frames are shown, never stored.
    /// </summary>
    public IProgress<FacePreview>? Preview { get; init; }
}

/// <summary>
/// One preview frame: a small JPEG of what the camera sees, the face it found (in the frame's pixels) and what the person
/// should do next. Sent while a capture runs; the capture's result is still the one best frame.
/// </summary>
public sealed record FacePreview(CapturedImage Frame, PreviewBox? Face, FaceHint Hint);

/// <summary>A rectangle in a preview frame's pixels.</summary>
public readonly record struct PreviewBox(int X, int Y, int Width, int Height);

/// <summary>What a person in front of the face camera should do, in plain words on the screen.</summary>
public enum FaceHint
{
    /// <summary>The face is good; hold still.</summary>
    HoldStill,
    /// <summary>No face in view: stand in front of the camera.</summary>
    NoFace,
    /// <summary>More than one face: only the person checking in.</summary>
    OneFaceOnly,
    MoveCloser,
    MoveBack,
    MoreLight,
    /// <summary>The face is turned away or blurred: look at the camera.</summary>
    LookAtCamera,
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
