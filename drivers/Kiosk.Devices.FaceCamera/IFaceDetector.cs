using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Finds faces (and, when it can, the eye centres) in a grey 8-bit image. The Haar cascade
/// (<see cref="CascadeFaceDetector"/>) is the default; a DNN detector (OpenCV's FaceDetectorYN/YuNet)
/// can replace it behind this interface without touching the quality gates.
/// Thread safety: implementations need not be thread safe; <see cref="FaceAnalyzer"/> serialises calls.
/// </summary>
internal interface IFaceDetector : IDisposable
{
    IReadOnlyList<DetectedFace> Detect(Mat grey);
}
