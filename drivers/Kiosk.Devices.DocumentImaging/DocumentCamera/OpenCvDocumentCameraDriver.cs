using Kiosk.Devices.Drivers;

namespace Kiosk.Devices.DocumentImaging;

/// <summary><c>Kiosk:Devices:DocumentCamera=OpenCv</c>: a document camera (高拍仪) through OpenCV (settings <c>Kiosk:Devices:DocumentOpenCv</c>).</summary>
public static class OpenCvDocumentCameraDriver
{
    public static DriverDescriptor Descriptor { get; } = new Driver<DocumentCameraOptions>(DeviceClass.DocumentCamera, "OpenCv", ["DocumentOpenCv"])
    {
        Read = s => s.Bind<DocumentCameraOptions>("DocumentOpenCv"),
        Validate = o => o.Validate(),
        Create = (o, context) => new OpenCvDocumentCamera(context.DeviceName, o, context.TimeProvider),
        Location = o => Redact.Credentials(o.Source),
        DeviceNodes = o => DeviceNodes.OfCameraSource(o.Source),
        Fix = (_, _) => "check the camera is plugged in (a /dev/videoN path or its index; 'kioskctl probe' lists cameras) and Kiosk:Devices:DocumentOpenCv:Source; the kiosk's user must be in the 'video' group",
    };
}
