namespace Kiosk.Devices.DocumentImaging;

/// <summary>How <see cref="DocumentAnalyzer"/> corrects and encodes a page.</summary>
public sealed record DocumentAnalysisSettings
{
    /// <summary>Output resolution; the page is sized as A4 (210 x 297 mm, ISO 216) at this many dots per inch (default 200).</summary>
    public int Dpi { get; init; } = 200;

    /// <summary>Adaptive-threshold the corrected page to black and white (default false).</summary>
    public bool Binarize { get; init; }

    /// <summary>"png" (default) or "jpeg".</summary>
    public string Format { get; init; } = "png";

    /// <summary>JPEG quality 1..100 (default 90).</summary>
    public int JpegQuality { get; init; } = 90;

    /// <summary>Smallest page as a share of the frame area (default 0.1); the largest is 0.98 (a frame edge is not a page).</summary>
    public double MinPageArea { get; init; } = 0.1;

    /// <summary>When above 0, also a JPEG thumbnail of the corrected page at most this many pixels tall (default 0: none).</summary>
    public int ThumbnailHeight { get; init; }
}
