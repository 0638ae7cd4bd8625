using Kiosk.Devices.Drivers;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>The duplex scanner's drivers: <c>Kiosk:Devices:DocumentScanner=Sane</c> (scanimage) and <c>=Escl</c> (driverless, HTTP).</summary>
public static class ScannerDrivers
{
    public static DriverDescriptor Sane { get; } = new Driver<SaneScannerOptions>(DeviceClass.DocumentScanner, "Sane", ["Sane"])
    {
        Read = s => s.Bind<SaneScannerOptions>("Sane"),
        Validate = o => string.IsNullOrWhiteSpace(o.DeviceName) ? ["DeviceName is empty: set it to the scanner's SANE name as 'scanimage -L' lists it (kioskctl probe shows it)"] : [],
        Create = (o, context) => new SaneScanner(context.DeviceName, o, context.TimeProvider),
        Location = o => Redact.Credentials(o.DeviceName),
        Fix = (_, _) => "check the scanner is on and listed by 'scanimage -L' (kioskctl probe lists scanners), then set Kiosk:Devices:Sane:DeviceName to its device name",
    };

    public static DriverDescriptor Escl { get; } = new Driver<EsclScannerOptions>(DeviceClass.DocumentScanner, "Escl", ["Escl"])
    {
        Read = s => s.Bind<EsclScannerOptions>("Escl"),
        Validate = o => o.BaseUri is { IsAbsoluteUri: true } uri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? []
            : ["BaseUri must be the scanner's absolute http(s) eSCL address, e.g. http://192.168.1.20/eSCL"],
        Create = (o, context) => new EsclScanner(context.DeviceName, o, context.TimeProvider),
        Location = o => o.BaseUri is { } uri ? Redact.Credentials(uri.ToString()) : "(Kiosk:Devices:Escl:BaseUri not set)",
        Fix = (o, _) => $"check the scanner is on and reachable at {(o.BaseUri is { } uri ? Redact.Credentials(uri.ToString()) : "Kiosk:Devices:Escl:BaseUri")} (its ScannerStatus page opens in a browser), and that Kiosk:Devices:Escl:BaseUri ends in /eSCL",
    };
}
