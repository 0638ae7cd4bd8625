using OpenCvSharp;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// Finds faces (and, when it can, the eye centres) in one frame. <see cref="FaceDetectors.Create"/> builds the one
/// <see cref="FaceCameraOptions.Detector"/> names: BlazeFace (<see cref="BlazeFaceDetector"/>, colour) or a Haar/LBP
/// cascade (<see cref="CascadeFaceDetector"/>, grey).
/// Thread safety: implementations need not be thread safe; <see cref="FaceAnalyzer"/> serialises calls.
/// </summary>
internal interface IFaceDetector : IDisposable
{
    /// <param name="colour">The frame as 8-bit BGR.</param>
    /// <param name="grey">The same frame as 8-bit grey.</param>
    IReadOnlyList<DetectedFace> Detect(Mat colour, Mat grey);
}
