using System.Globalization;
using Kiosk.Devices.Drivers;
using Kiosk.Devices.Serial;

namespace Kiosk.Devices.FingerprintReader;

/// <summary><c>Kiosk:Devices:FingerprintReader=R30x</c>: an R30x/ZFM/AS608 module on a serial port (settings <c>Kiosk:Devices:R30x</c>).</summary>
public static class R30xFingerprintReaderDriver
{
    public static DriverDescriptor Descriptor { get; } = new Driver<R30xFingerprintReaderOptions>(DeviceClass.FingerprintReader, "R30x", ["R30x"])
    {
        Read = s => s.Bind<R30xFingerprintReaderOptions>("R30x"),
        Validate = o => DeviceNodes.ProblemsOf(o.Validate),
        Create = (o, context) => new R30xFingerprintReader(context.DeviceName, o, context.TimeProvider),
        Location = o => string.Create(CultureInfo.InvariantCulture, $"{o.PortName} at {o.BaudRate} baud"),
        DeviceNodes = o => DeviceNodes.OfPath(o.PortName),
        Fix = (_, code) => SerialReaderFix.For("Kiosk:Devices:R30x", code),
    };
}
