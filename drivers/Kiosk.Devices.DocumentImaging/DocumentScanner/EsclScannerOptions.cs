namespace Kiosk.Devices.DocumentImaging;

/// <summary>Configuration of an <see cref="EsclScanner"/> (section "Devices:documentScanner", Driver "escl").</summary>
public sealed class EsclScannerOptions
{
    /// <summary>
    /// The scanner's eSCL root, e.g. http://192.168.1.20:80/eSCL (the "rs" TXT key of its _uscan._tcp DNS-SD record,
    /// Mopria eSCL specification section 3). Required.
    /// </summary>
    public Uri? BaseUri { get; set; }

    /// <summary>The feeder scans both sides (default true). When false every scan is simplex, whatever the request says.</summary>
    public bool Duplex { get; set; } = true;

    /// <summary>Resolution in dpi used when a request names none (default 200).</summary>
    public int Resolution { get; set; } = 200;

    /// <summary>Document format asked for: "image/png" (default) or "image/jpeg".</summary>
    public string Format { get; set; } = "image/png";

    /// <summary>Longest wait for one HTTP answer before the scan ends with Timeout (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pause before asking again after 503 Service Unavailable (scanner busy, page not ready; default 0.5 s).</summary>
    public TimeSpan BusyRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How many 503 answers in a row are waited out before the scan fails (default 40).</summary>
    public int MaxBusyRetries { get; set; } = 40;

    /// <summary>
    /// Largest scanned document accepted, in bytes (default 64 MiB, 1 MiB..1 GiB). A longer answer, announced or streamed
    /// (a scanner that never stops sending), ends the scan with InvalidData instead of filling the kiosk's memory.
    /// </summary>
    public long MaxDocumentBytes { get; set; } = ScanLimits.Default.MaxBytes;

    /// <summary>
    /// Largest image accepted, in pixels (width x height from the PNG or JPEG header, checked before decoding; default
    /// 64 000 000, 1 000 000..1 000 000 000): a small file that announces a huge image is InvalidData, not a huge allocation.
    /// </summary>
    public long MaxImagePixels { get; set; } = ScanLimits.Default.MaxPixels;
}
