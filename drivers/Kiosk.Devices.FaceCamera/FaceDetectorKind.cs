using System.Text.Json.Serialization;

namespace Kiosk.Devices.FaceCamera;

/// <summary>Which face detector <see cref="FaceAnalyzer"/> runs (<c>Kiosk:Devices:OpenCv:Detector</c>); measured against each other in README.md.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaceDetectorKind>))]
public enum FaceDetectorKind
{
    /// <summary>MediaPipe BlazeFace (ONNX, ONNX Runtime on one thread): <see cref="FaceCameraOptions.BlazeFaceModelPath"/>.</summary>
    BlazeFace,
    /// <summary>Viola-Jones Haar cascade <see cref="FaceCameraOptions.CascadePath"/> (opencv-data's frontalface_default).</summary>
    Haar,
    /// <summary>LBP cascade <see cref="FaceCameraOptions.LbpCascadePath"/> (opencv-data's lbpcascade_frontalface_improved).</summary>
    Lbp,
}
