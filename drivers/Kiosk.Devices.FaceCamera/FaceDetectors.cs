namespace Kiosk.Devices.FaceCamera;

/// <summary>Builds the detector <see cref="FaceCameraOptions.Detector"/> names, from options already validated.</summary>
internal static class FaceDetectors
{
    /// <exception cref="ArgumentException">A cascade or the model cannot be loaded.</exception>
    public static IFaceDetector Create(FaceCameraOptions options) => options.Detector switch
    {
        FaceDetectorKind.Haar => new CascadeFaceDetector(options.CascadePath, options.EyeCascadePath),
        FaceDetectorKind.Lbp => new CascadeFaceDetector(options.LbpCascadePath, options.EyeCascadePath),
        FaceDetectorKind.BlazeFace => new BlazeFaceDetector(options.BlazeFaceModelPath, (float)options.MinDetectionScore),
        _ => throw new ArgumentException($"Detector '{options.Detector}' is not a detector: use BlazeFace, Haar or Lbp", nameof(options)),
    };
}
