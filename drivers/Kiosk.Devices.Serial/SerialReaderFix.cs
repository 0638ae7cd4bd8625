namespace Kiosk.Devices.Serial;

/// <summary>What a technician does about a reader on a serial port (ID card SAM, fingerprint module) that is not well.</summary>
public static class SerialReaderFix
{
    /// <param name="section">The driver's settings section, e.g. <c>Kiosk:Devices:Sam</c>.</param>
    public static string For(string section, CompletionCode code) => code is CompletionCode.Timeout or CompletionCode.InvalidData or CompletionCode.HardwareError
        ? $"the port opens but the reader does not answer properly: check its power and cable, that {section}:PortName is the reader's port and not another device's, and the baud rate ({section}:BaudRate)"
        : $"check the reader is plugged in and {section}:PortName names its port ('kioskctl probe' lists serial ports; /dev/serial/by-id names do not change between boots); the kiosk's user must be in the 'dialout' group";
}
