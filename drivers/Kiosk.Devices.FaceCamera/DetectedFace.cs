using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// A face box with the eye centres in image pixels (left/right as seen in the image), when found, and the detector's
/// confidence (0..1) when it gives one (BlazeFace; the cascades give none), and the nose tip when the detector has it
/// (BlazeFace's key point 2; the cascades have none).
/// </summary>
internal sealed record DetectedFace(Rect Box, Point2d? LeftEye, Point2d? RightEye)
{
    public bool HasEyes => LeftEye is not null && RightEye is not null;

    public double? Score { get; init; }

    public Point2d? NoseTip { get; init; }
}
