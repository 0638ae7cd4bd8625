namespace Kiosk.Devices.DocumentImaging;

/// <summary>A corner of the page in frame pixels.</summary>
public readonly record struct PageCorner(double X, double Y);

/// <summary>
/// The result of <see cref="DocumentAnalyzer.Analyze(OpenCvSharp.Mat, DocumentAnalysisSettings)"/>.
/// <see cref="Corners"/> are top-left, top-right, bottom-right, bottom-left in the input frame (empty when no page was found);
/// <see cref="Blur"/> and <see cref="Glare"/> are 0..1 (0 = none); <see cref="Image"/> is the corrected page,
/// or null when no page was found, when <see cref="Miss"/> says why.
/// </summary>
public sealed record DocumentAnalysis(bool PageFound, IReadOnlyList<PageCorner> Corners, double Blur, double Glare, CapturedImage? Image, TimeSpan Elapsed)
{
    /// <summary>Why no page was found (null when one was).</summary>
    public PageMiss? Miss { get; init; }

    /// <summary>A small JPEG of the corrected page when <see cref="DocumentAnalysisSettings.ThumbnailHeight"/> asked for one.</summary>
    public CapturedImage? Thumbnail { get; init; }
}

/// <summary>Why a frame has no page to correct.</summary>
public enum PageMiss
{
    /// <summary>Nothing page-like in the frame.</summary>
    NoPage,

    /// <summary>A page-sized shape runs over the frame's edge: part of the page is out of view.</summary>
    CutOff,
}

/// <summary>What <see cref="PageDetector.Find"/> found: the corners, or why there are none.</summary>
internal readonly record struct PageSearch(OpenCvSharp.Point2f[]? Corners, PageMiss? Miss);
