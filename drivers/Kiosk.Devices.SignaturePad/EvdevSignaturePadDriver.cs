using Kiosk.Devices.Drivers;

namespace Kiosk.Devices.SignaturePad;

/// <summary>
/// <c>Kiosk:Devices:SignaturePad=Evdev</c>: a pen digitiser read as Linux input events (settings <c>Kiosk:Devices:Evdev</c>).
/// A digitiser has no fingerprint sensor: the kiosk's fingerprint reader takes that part of 签名捺印.
/// </summary>
public static class EvdevSignaturePadDriver
{
    public static DriverDescriptor Descriptor { get; } = new Driver<EvdevSignaturePadOptions>(DeviceClass.SignaturePad, "Evdev", ["Evdev"])
    {
        Read = s => s.Bind<EvdevSignaturePadOptions>("Evdev"),
        Validate = o => o.Validate() is { } problem ? [problem] : [],
        Create = (o, context) => EvdevSignaturePad.OpenDevice(context.DeviceName, o, context.TimeProvider, context.Device<IFingerprintReader>()),
        Location = o => o.DevicePath,
        DeviceNodes = o => DeviceNodes.OfPath(o.DevicePath),
        Fix = (o, _) => $"check the pen tablet is plugged in and Kiosk:Devices:Evdev:DevicePath names it ({o.DevicePath} now; ls -l /dev/input/by-id shows stable names); the kiosk's user must be in the 'input' group",
    };
}
