using System.Globalization;
using Kiosk.Devices.Drivers;
using Kiosk.Devices.Serial;

namespace Kiosk.Devices.IdCardReader;

/// <summary><c>Kiosk:Devices:IdCardReader=Sam</c>: a GA/T 467 SAM reader on a serial port (settings <c>Kiosk:Devices:Sam</c>).</summary>
public static class SamIdCardReaderDriver
{
    public static DriverDescriptor Descriptor { get; } = new Driver<SamIdCardReaderOptions>(DeviceClass.IdCardReader, "Sam", ["Sam"])
    {
        Read = s => s.Bind<SamIdCardReaderOptions>("Sam"),
        Validate = o => DeviceNodes.ProblemsOf(o.Validate),
        Create = (o, context) => new SamIdCardReader(context.DeviceName, o, context.TimeProvider),
        Location = o => string.Create(CultureInfo.InvariantCulture, $"{o.PortName} at {o.BaudRate} baud"),
        DeviceNodes = o => DeviceNodes.OfPath(o.PortName),
        Fix = (_, code) => SerialReaderFix.For("Kiosk:Devices:Sam", code),
    };
}
