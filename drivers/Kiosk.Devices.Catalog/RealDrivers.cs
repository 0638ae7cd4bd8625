using Kiosk.Devices.Audio;
using Kiosk.Devices.DocumentImaging;
using Kiosk.Devices.Drivers;
using Kiosk.Devices.FaceCamera;
using Kiosk.Devices.FingerprintReader;
using Kiosk.Devices.Gpio;
using Kiosk.Devices.IdCardReader;
using Kiosk.Devices.SignaturePad;

namespace Kiosk.Devices;

/// <summary>
/// The hardware drivers a production kiosk can use, one descriptor each (see each driver folder's README). The
/// production agent and kioskctl register exactly these; stand-ins such as <see cref="AudioDrivers.File"/> are left to
/// the demo and test hosts.
/// </summary>
public static class RealDrivers
{
    public static IReadOnlyList<DriverDescriptor> All { get; } =
    [
        OpenCvFaceCameraDriver.Descriptor,
        OpenCvDocumentCameraDriver.Descriptor,
        ScannerDrivers.Sane,
        ScannerDrivers.Escl,
        EvdevSignaturePadDriver.Descriptor,
        R30xFingerprintReaderDriver.Descriptor,
        SamIdCardReaderDriver.Descriptor,
        AudioDrivers.Arecord,
        AudioDrivers.Aplay,
        GpioDrivers.Indicators,
        GpioDrivers.Sensors,
    ];
}
