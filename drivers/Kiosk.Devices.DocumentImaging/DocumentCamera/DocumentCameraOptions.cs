namespace Kiosk.Devices.DocumentImaging;

/// <summary>Configuration of an <see cref="OpenCvDocumentCamera"/> (section "Devices:documentCamera").</summary>
public sealed class DocumentCameraOptions
{
    /// <summary>
    /// What <c>cv::VideoCapture</c> opens: a device index ("0" is /dev/video0), a device path, a video file,
    /// an image sequence ("frames/%03d.png") or a single image file. Required.
    /// </summary>
    public string Source { get; set; } = "0";

    /// <summary>Requested capture width in pixels for camera sources (default 1920; files keep their size).</summary>
    public int FrameWidth { get; set; } = 1920;

    /// <summary>Requested capture height in pixels for camera sources (default 1080).</summary>
    public int FrameHeight { get; set; } = 1080;

    /// <summary>Frames read and dropped before the one analysed, so auto exposure settles (default 0; 3 to 5 for USB cameras).</summary>
    public int WarmUpFrames { get; set; }

    /// <summary>Encoding of the corrected page: "png" (default) or "jpeg".</summary>
    public string Format { get; set; } = "png";

    /// <summary>JPEG quality 1..100 when <see cref="Format"/> is "jpeg" (default 90).</summary>
    public int JpegQuality { get; set; } = 90;

    /// <summary>Smallest page, as a share of the frame area, accepted as a page (default 0.1).</summary>
    public double MinPageArea { get; set; } = 0.1;

    /// <summary>Frames smaller than this in either dimension are treated as corrupt (default 64 pixels).</summary>
    public int MinFrameSide { get; set; } = 64;

    /// <summary>All configuration errors at once, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Source))
        {
            errors.Add("Source is required: a device index, a device path, a video or image file");
        }

        if (Format is not ("png" or "jpeg"))
        {
            errors.Add($"Format '{Format}' is not png or jpeg");
        }

        if (JpegQuality is < 1 or > 100)
        {
            errors.Add($"JpegQuality {JpegQuality} is outside 1..100");
        }

        if (MinPageArea is <= 0 or >= 1)
        {
            errors.Add($"MinPageArea {MinPageArea} is outside (0, 1)");
        }

        if (FrameWidth <= 0 || FrameHeight <= 0 || WarmUpFrames < 0 || MinFrameSide <= 0)
        {
            errors.Add("FrameWidth, FrameHeight and MinFrameSide must be positive, WarmUpFrames not negative");
        }

        return errors;
    }

    internal DocumentAnalysisSettings AnalysisSettings(int dpi, bool binarize) => new()
    {
        Dpi = dpi,
        Binarize = binarize,
        Format = Format,
        JpegQuality = JpegQuality,
        MinPageArea = MinPageArea,
    };
}
