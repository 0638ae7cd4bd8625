using Kiosk.Devices.Drivers;

namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// <c>Kiosk:Devices:FaceCamera=OpenCv</c>: a camera through OpenCV's VideoCapture (settings <c>Kiosk:Devices:OpenCv</c>)
/// with a 1:1 matcher, LBPH or a face embedding (<c>Kiosk:Devices:FaceMatcher</c>, <c>Method</c>).
/// </summary>
public static class OpenCvFaceCameraDriver
{
    public static DriverDescriptor Descriptor { get; } = new Driver<Settings>(DeviceClass.FaceCamera, "OpenCv", ["OpenCv", "FaceMatcher"])
    {
        Read = s => new Settings(s.Bind<FaceCameraOptions>("OpenCv"), s.Bind<FaceMatcherOptions>("FaceMatcher")),
        Validate = s => [.. s.Camera.Validate().Select(p => "Kiosk:Devices:OpenCv: " + p), .. s.Matcher.Validate().Select(p => "Kiosk:Devices:FaceMatcher: " + p)],
        Create = (s, context) => new OpenCvFaceCamera(context.DeviceName, s.Camera, context.TimeProvider),
        CreateFaceMatcher = (s, _) => s.Matcher.Method == FaceMatcherMethod.Embedding ? new OnnxFaceEmbeddingMatcher(s.Matcher) : (IFaceMatcher)new OpenCvFaceMatcher(s.Matcher),
        Location = s => Redact.Credentials(s.Camera.Source),
        DeviceNodes = s => DeviceNodes.OfCameraSource(s.Camera.Source),
        Fix = (_, _) => "check the camera is plugged in (a /dev/videoN path or its index; 'kioskctl probe' lists cameras) and Kiosk:Devices:OpenCv:Source; the kiosk's user must be in the 'video' group",
    };

    private sealed record Settings(FaceCameraOptions Camera, FaceMatcherOptions Matcher);
}
