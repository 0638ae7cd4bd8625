using System.Diagnostics;
using OpenCvSharp;

namespace Kiosk.Devices.DocumentImaging;

/// <summary>
/// The document camera pipeline on one frame: find the page, correct its perspective (which also
/// deskews it), crop the desk off its edges, optionally binarise, measure blur and glare, encode.
/// Used by <see cref="OpenCvDocumentCamera"/> and by <c>kioskctl capture document --image</c>.
/// Thread safety: stateless; may be called from any thread.
/// </summary>
public static class DocumentAnalyzer
{
    /// <summary>ISO 216 A4, the page size the output is scaled for.</summary>
    private const double A4LongSideMm = 297;

    private const double MmPerInch = 25.4;

    /// <summary>Share of each side cropped after the warp, so no sliver of desk survives a corner a pixel off.</summary>
    private const double CropInset = 0.005;

    /// <summary>Neighbourhood and offset of the adaptive threshold: about 4 mm at 200 dpi, enough to span a letter stroke.</summary>
    private const int BinarizeBlock = 31;

    private const double BinarizeOffset = 15;

    /// <summary>Decodes a PNG or JPEG (or anything cv::imdecode reads) and analyses it.</summary>
    /// <exception cref="ArgumentException">The bytes are not an image.</exception>
    public static DocumentAnalysis Analyze(ReadOnlySpan<byte> encoded, DocumentAnalysisSettings settings)
    {
        using var frame = Cv2.ImDecode(encoded, ImreadModes.Color);
        if (frame.Empty())
        {
            throw new ArgumentException("not an image OpenCV can decode", nameof(encoded));
        }

        return Analyze(frame, settings);
    }

    /// <summary>Analyses one frame (8-bit grey, BGR or BGRA).</summary>
    public static DocumentAnalysis Analyze(Mat frame, DocumentAnalysisSettings settings)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        using var gray = ToGray(frame);
        var search = PageDetector.Find(gray, settings.MinPageArea);
        if (search.Corners is not { } corners)
        {
            return new DocumentAnalysis(false, [], PageQuality.Blur(gray), PageQuality.Glare(gray), null, clock.Elapsed) { Miss = search.Miss };
        }

        // Blur and glare are measured on the page as the camera sampled it (upscaling to the output dpi would soften it),
        // inside the page outline of the frame itself: no second warp.
        var (blur, glare) = PageQuality.OfPage(gray, corners);
        // One warp, straight to the cropped output; a binarised page needs only the grey one.
        using var page = Correct(settings.Binarize ? gray : frame, corners, settings.Dpi);
        using var output = settings.Binarize ? Binarize(page) : null;
        var image = Encode(output ?? page, settings);
        var thumbnail = settings.ThumbnailHeight > 0 ? ScannedFiles.Thumbnail(output ?? page, settings.ThumbnailHeight) : null;
        var found = corners.Select(p => new PageCorner(p.X, p.Y)).ToArray();
        return new DocumentAnalysis(true, found, blur, glare, image, clock.Elapsed) { Thumbnail = thumbnail };
    }

    /// <summary>
    /// Where the page is in <paramref name="frame"/> without correcting it: its corners (top-left, top-right, bottom-right,
    /// bottom-left), or why there are none. What the evaluation set measures.
    /// </summary>
    public static (IReadOnlyList<PageCorner> Corners, PageMiss? Miss) Locate(Mat frame, double minPageArea = 0.1)
    {
        ArgumentNullException.ThrowIfNull(frame);
        using var gray = ToGray(frame);
        var search = PageDetector.Find(gray, minPageArea);
        return search.Corners is { } corners ? ([.. corners.Select(p => new PageCorner(p.X, p.Y))], null) : ([], search.Miss);
    }

    private static Mat ToGray(Mat frame)
    {
        var gray = new Mat();
        switch (frame.Channels())
        {
            case 1:
                frame.CopyTo(gray);
                break;
            case 4:
                Cv2.CvtColor(frame, gray, ColorConversionCodes.BGRA2GRAY);
                break;
            default:
                Cv2.CvtColor(frame, gray, ColorConversionCodes.BGR2GRAY);
                break;
        }

        return gray;
    }

    /// <summary>
    /// Warps the quadrilateral to an upright rectangle with the page's own aspect (longer of opposite sides), its long side
    /// A4's 297 mm at <paramref name="dpi"/>, less <see cref="CropInset"/> of each side, in one bilinear warp: the output
    /// is an upscale of the camera's sampling (a 1080p frame sees an A4 page at about 90 dpi), where bicubic costs three
    /// times as much and adds no detail the camera did not see.
    /// </summary>
    private static Mat Correct(Mat frame, Point2f[] corners, int dpi)
    {
        var width = Width(corners);
        var height = Height(corners);
        var scale = A4LongSideMm / MmPerInch * dpi / Math.Max(width, height);
        var outWidth = Math.Max(1, (int)Math.Round(width * scale));
        var outHeight = Math.Max(1, (int)Math.Round(height * scale));
        var insetX = (int)(outWidth * CropInset);
        var insetY = (int)(outHeight * CropInset);
        // The full page's rectangle shifted by the inset, so the warp writes only the cropped part.
        Point2f[] target = [new(-insetX, -insetY), new(outWidth - 1 - insetX, -insetY), new(outWidth - 1 - insetX, outHeight - 1 - insetY), new(-insetX, outHeight - 1 - insetY)];
        using var homography = Cv2.GetPerspectiveTransform(corners, target);
        var warped = new Mat();
        Cv2.WarpPerspective(frame, warped, homography, new Size(outWidth - (2 * insetX), outHeight - (2 * insetY)), InterpolationFlags.Linear, BorderTypes.Replicate);
        return warped;
    }

    /// <summary>
    /// The longer of the top and bottom sides. Perspective only ever shortens a side, so the longer of two opposite
    /// sides is the closer estimate of the page's own: their mean made a page tilted 10 % away 5 % too narrow.
    /// </summary>
    private static double Width(Point2f[] corners) => Math.Max(corners[0].DistanceTo(corners[1]), corners[3].DistanceTo(corners[2]));

    /// <summary>The longer of the left and right sides (see <see cref="Width"/>).</summary>
    private static double Height(Point2f[] corners) => Math.Max(corners[0].DistanceTo(corners[3]), corners[1].DistanceTo(corners[2]));

    private static Mat Binarize(Mat gray)
    {
        var binary = new Mat();
        Cv2.AdaptiveThreshold(gray, binary, 255, AdaptiveThresholdTypes.GaussianC, ThresholdTypes.Binary, BinarizeBlock, BinarizeOffset);
        return binary;
    }

    private static CapturedImage Encode(Mat image, DocumentAnalysisSettings settings)
    {
        var jpeg = settings.Format == "jpeg";
        var bytes = jpeg
            ? image.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, settings.JpegQuality))
            : image.ImEncode(".png");
        return new CapturedImage(bytes, jpeg ? "image/jpeg" : "image/png", image.Width, image.Height) { Dpi = settings.Dpi };
    }
}
