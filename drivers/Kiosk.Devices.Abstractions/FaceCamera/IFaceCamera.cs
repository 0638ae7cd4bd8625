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

    /// <summary>
    /// What the person is asked to do while the camera watches (an active liveness challenge), or
    /// <see cref="FaceChallenge.None"/>: only the best frame of the burst. With a challenge the camera looks at up to its
    /// own challenge window of frames (not <see cref="BurstFrames"/>) and reports the outcome in <see cref="FaceQuality.Challenge"/>.
    /// </summary>
    public FaceChallenge Challenge { get; init; }
}

/// <summary>
/// An active liveness challenge. Left and right are the person's own: a person turning to their left moves their nose to
/// the right of the (unmirrored) camera image. The caller picks the direction at random per attempt, so a recording cannot
/// know it in advance.
/// </summary>
public enum FaceChallenge
{
    None,
    Blink,
    TurnLeft,
    TurnRight,
}

/// <summary>
/// What a challenge asked and whether the person did it, with the measures it was decided on. Angles in degrees, positive
/// toward the person's left (see <see cref="FaceChallenge"/>); eye openness relative to the person's own open eyes (1 = as
/// open as the most open frame).
/// </summary>
public sealed record FaceChallengeOutcome
{
    public required FaceChallenge Asked { get; init; }
    public required bool Done { get; init; }
    /// <summary>Why it was not done, in plain words (no personal data); null when done.</summary>
    public string? Reason { get; init; }
    /// <summary>Frames looked at.</summary>
    public int Frames { get; init; }
    /// <summary>Turn: the yaw of the most frontal frame before the turn; null when no frontal frame was seen or for a blink.</summary>
    public double? FrontalYawDegrees { get; init; }
    /// <summary>Turn: the largest turn seen in the asked direction, measured from the most frontal frame (negative: the other way); null for a blink.</summary>
    public double? TurnYawDegrees { get; init; }
    /// <summary>Blink: the lowest eye openness between two open frames (lower: more closed); null for a turn.</summary>
    public double? LowestEyeOpenness { get; init; }
    /// <summary>Blink: open-closed-open sequences seen; null for a turn.</summary>
    public int? Blinks { get; init; }
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
    /// <summary>
    /// True when the capture looks live: with a challenge, the challenge was done; without one, the camera's passive check
    /// (see its README: what it stops and what it does not).
    /// </summary>
    public bool LivenessPassed { get; init; }

    /// <summary>The challenge's outcome when one was asked (<see cref="FaceCaptureRequest.Challenge"/>); null otherwise.</summary>
    public FaceChallengeOutcome? Challenge { get; init; }
}
