namespace Kiosk.Devices.FingerprintReader;

/// <summary>Configuration of an <see cref="R30xFingerprintReader"/> (settings Kiosk:Devices:R30x).</summary>
public sealed class R30xFingerprintReaderOptions
{
    /// <summary>Serial device, e.g. "/dev/ttyUSB1" or "COM4".</summary>
    public string PortName { get; set; } = "/dev/ttyUSB1";

    /// <summary>R30x/ZFM/AS608 modules ship at 57600 8N1 (N = 6 in the datasheet's 9600 x N).</summary>
    public int BaudRate { get; set; } = 57600;

    /// <summary>Module address; 0xFFFFFFFF is the factory default.</summary>
    public uint Address { get; set; } = 0xFFFFFFFF;

    /// <summary>Handshake password for VfyPwd; 0 is the factory default.</summary>
    public uint Password { get; set; }

    /// <summary>
    /// Longest wait for one packet. An acknowledgement comes within a few hundred milliseconds; image
    /// data packets (139 bytes) follow each other at line speed.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Sensor resolution reported with the image and in its ISO/IEC 19794-4 record (R30x datasheets: 500 dpi); 1..1000.</summary>
    public int Dpi { get; set; } = 500;

    /// <summary>Throws with every problem in one message; called once by the driver constructor.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(PortName))
        {
            errors.Add("PortName is empty; set the serial device, e.g. /dev/ttyUSB1");
        }

        if (BaudRate <= 0 || BaudRate % 9600 != 0)
        {
            errors.Add($"BaudRate {BaudRate} must be a multiple of 9600 (57600 by default)");
        }

        if (ResponseTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ResponseTimeout {ResponseTimeout} must be positive");
        }

        if (Dpi is <= 0 or > 1000)
        {
            errors.Add($"Dpi {Dpi} must be 1..1000 (the largest scan resolution an ISO/IEC 19794-4 record states; R30x sensors: 500)");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
