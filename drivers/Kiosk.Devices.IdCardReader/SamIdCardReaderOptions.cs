namespace Kiosk.Devices.IdCardReader;

/// <summary>Configuration of a <see cref="SamIdCardReader"/> on a serial port (settings Kiosk:Devices:Sam).</summary>
public sealed class SamIdCardReaderOptions
{
    /// <summary>Serial device, e.g. "/dev/ttyUSB0" or "COM3".</summary>
    public string PortName { get; set; } = "/dev/ttyUSB0";

    /// <summary>GA/T 467 SAM modules talk 115200 8N1 by default.</summary>
    public int BaudRate { get; set; } = 115200;

    /// <summary>
    /// Longest wait for one complete response frame. A read of text and photo takes about one second on
    /// a real SAM; a frame that stops half way (truncated) ends with Timeout after this.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a command is sent again after a response with a bad checksum (0 = never).</summary>
    public int ChecksumRetries { get; set; } = 1;

    /// <summary>Throws with every problem in one message; called once by the driver constructor.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(PortName))
        {
            errors.Add("PortName is empty; set the serial device, e.g. /dev/ttyUSB0");
        }

        if (BaudRate <= 0)
        {
            errors.Add($"BaudRate {BaudRate} must be positive (115200 for a SAM)");
        }

        if (ResponseTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ResponseTimeout {ResponseTimeout} must be positive");
        }

        if (ChecksumRetries is < 0 or > 5)
        {
            errors.Add($"ChecksumRetries {ChecksumRetries} must be between 0 and 5");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
