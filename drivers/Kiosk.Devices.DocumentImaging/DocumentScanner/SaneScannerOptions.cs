namespace Kiosk.Devices.DocumentImaging;

/// <summary>Configuration of a <see cref="SaneScanner"/> (section "Devices:documentScanner").</summary>
public sealed class SaneScannerOptions
{
    /// <summary>The scanimage executable (default "scanimage", Debian package sane-utils).</summary>
    public string ScanimagePath { get; set; } = "scanimage";

    /// <summary>SANE device name as <c>scanimage -L</c> lists it, e.g. "fujitsu:fi-7160:1234" or "test:0". Required.</summary>
    public string DeviceName { get; set; } = "";

    /// <summary>The backend's source for duplex scans (default "ADF Duplex"; see <c>scanimage -d DEVICE -A</c>).</summary>
    public string DuplexSource { get; set; } = "ADF Duplex";

    /// <summary>The backend's source for simplex scans (default "ADF Front").</summary>
    public string SimplexSource { get; set; } = "ADF Front";

    /// <summary>Extra environment for scanimage, e.g. SANE_CONFIG_DIR (default none).</summary>
    public IDictionary<string, string> Environment { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
