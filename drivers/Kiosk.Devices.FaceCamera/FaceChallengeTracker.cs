using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Decides an active liveness challenge over the frames of one capture, one frame at a time (<see cref="Observe"/>).
/// <para>
/// Turn: first a frame facing the camera (|yaw| at most <see cref="FaceCameraOptions.ChallengeFrontalDegrees"/>), then a
/// yaw of <see cref="FaceCameraOptions.ChallengeTurnDegrees"/> in the asked direction. A turn that far the other way first
/// fails the challenge: a recording that turns one fixed way must not pass by also turning back the other way. The yaw
/// comes from the nose tip against the eyes (<see cref="FaceChallengeMeasures.YawDegrees"/>), which only BlazeFace gives:
/// with a cascade detector a turn is not done, and the reason says why.
/// </para>
/// <para>
/// Blink: the eyes open, then closed (openness at most <see cref="FaceCameraOptions.BlinkClosedRatio"/> of the most open
/// frame so far), then open again (at least <see cref="OpenRatio"/>). Openness is measured at the eye key points; a
/// cascade that loses the eyes while they are closed is followed by the last eye positions found, relative to the face box.
/// </para>
/// A frame without exactly one face is skipped: it neither advances nor resets the challenge.
/// Thread safety: one capture's thread.
/// </summary>
internal sealed class FaceChallengeTracker
{
    /// <summary>Openness, relative to the most open frame, at which eyes count as open (before and after the blink).</summary>
    public const double OpenRatio = 0.75;

    private readonly FaceChallenge _asked;
    private readonly FaceCameraOptions _options;
    private Phase _phase = Phase.Start;
    private string? _failure;
    private int _frames;
    private double? _frontalYaw;
    private double? _turnYaw;
    private double _mostOpen;
    private double? _lowestClosed;
    private (Point2d Left, Point2d Right)? _eyesInBox;

    public FaceChallengeTracker(FaceChallenge asked, FaceCameraOptions options)
    {
        _asked = asked;
        _options = options;
    }

    private enum Phase
    {
        Start,
        Ready,
        Closed,
        Done,
        Failed,
    }

    public bool IsDecided => _phase is Phase.Done or Phase.Failed;

    /// <summary>
    /// Looks at one frame (<paramref name="face"/> null when it has not exactly one face) and returns whether the frame may
    /// be the capture: facing the camera for a turn, eyes open for a blink.
    /// </summary>
    public bool Observe(Mat grey, DetectedFace? face)
    {
        ArgumentNullException.ThrowIfNull(grey);
        _frames++;
        if (face is null || IsDecided)
        {
            return false;
        }

        return _asked == FaceChallenge.Blink ? ObserveBlink(grey, face) : ObserveTurn(face);
    }

    public FaceChallengeOutcome Outcome()
    {
        var done = _phase == Phase.Done;
        var turn = _asked != FaceChallenge.Blink;
        return new FaceChallengeOutcome
        {
            Asked = _asked,
            Done = done,
            Reason = done ? null : _failure ?? NotSeen(),
            Frames = _frames,
            FrontalYawDegrees = turn ? Round(_frontalYaw) : null,
            TurnYawDegrees = turn ? Round(_turnYaw) : null,
            LowestEyeOpenness = turn ? null : _lowestClosed is { } low && _mostOpen > 0 ? Math.Round(low / _mostOpen, 3) : null,
            Blinks = turn ? null : done ? 1 : 0,
        };
    }

    private bool ObserveTurn(DetectedFace face)
    {
        if (FaceChallengeMeasures.YawDegrees(face) is not { } yaw)
        {
            _failure = $"a head turn needs the nose tip, which the {_options.Detector} detector does not give (use BlazeFace)";
            _phase = Phase.Failed;
            return false;
        }

        var frontal = Math.Abs(yaw) <= _options.ChallengeFrontalDegrees;
        if (_phase == Phase.Start)
        {
            if (frontal)
            {
                _phase = Phase.Ready;
                _frontalYaw = yaw;
            }

            return frontal;
        }

        // The turn is measured from the most frontal frame: the estimate carries a bias of a few degrees per face
        // (nose shape, key point placement), which a difference cancels.
        if (frontal && Math.Abs(yaw) < Math.Abs(_frontalYaw!.Value))
        {
            _frontalYaw = yaw;
        }

        // Positive yaw is the person's own left (FaceChallengeMeasures.YawDegrees).
        var turned = yaw - _frontalYaw!.Value;
        var towards = _asked == FaceChallenge.TurnLeft ? turned : -turned;
        _turnYaw = Math.Max(_turnYaw ?? towards, towards);
        if (towards >= _options.ChallengeTurnDegrees)
        {
            _phase = Phase.Done;
        }
        else if (towards <= -_options.ChallengeTurnDegrees)
        {
            _turnYaw = towards;
            _failure = $"the head turned the other way ({Side(-1)} instead of {Side(1)})";
            _phase = Phase.Failed;
        }

        return frontal;
    }

    private bool ObserveBlink(Mat grey, DetectedFace face)
    {
        var box = face.Box;
        Point2d left, right;
        if (face is { LeftEye: { } l, RightEye: { } r })
        {
            (left, right) = (l, r);
            _eyesInBox = (new Point2d((l.X - box.X) / box.Width, (l.Y - box.Y) / box.Height), new Point2d((r.X - box.X) / box.Width, (r.Y - box.Y) / box.Height));
        }
        else if (_eyesInBox is { } known)
        {
            left = new Point2d(box.X + (known.Left.X * box.Width), box.Y + (known.Left.Y * box.Height));
            right = new Point2d(box.X + (known.Right.X * box.Width), box.Y + (known.Right.Y * box.Height));
        }
        else
        {
            return false;
        }

        if (FaceChallengeMeasures.EyeOpenness(grey, left, right) is not { } openness)
        {
            return false;
        }

        _mostOpen = Math.Max(_mostOpen, openness);
        var relative = openness / _mostOpen;
        var open = relative >= OpenRatio;
        switch (_phase)
        {
            case Phase.Start when open:
                _phase = Phase.Ready;
                break;
            case Phase.Ready when relative <= _options.BlinkClosedRatio:
                _phase = Phase.Closed;
                _lowestClosed = openness;
                break;
            case Phase.Closed:
                _lowestClosed = Math.Min(_lowestClosed!.Value, openness);
                if (open)
                {
                    _phase = Phase.Done;
                }

                break;
        }

        return open;
    }

    private string NotSeen() => _asked switch
    {
        FaceChallenge.Blink => _phase switch
        {
            Phase.Closed => $"the eyes closed but did not open again within {_frames} frames",
            Phase.Ready => $"no blink seen in {_frames} frames",
            _ => $"no open eyes seen in {_frames} frames",
        },
        _ => _phase == Phase.Ready
            ? $"no turn to the {Side(1)} of {_options.ChallengeTurnDegrees:0} degrees seen in {_frames} frames"
            : $"no frame facing the camera seen in {_frames} frames",
    };

    /// <summary>The side asked (<paramref name="sign"/> 1) or the other one (-1), as the person's own left or right.</summary>
    private string Side(int sign) => (_asked == FaceChallenge.TurnLeft) == (sign > 0) ? "left" : "right";

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 1) : null;
}
