namespace Kiosk.Devices.DocumentImaging;

/// <summary>A corner of the page in frame pixels.</summary>
public readonly record struct PageCorner(double X, double Y);

/// <summary>
/// The result of <see cref="DocumentAnalyzer.Analyze(OpenCvSharp.Mat, DocumentAnalysisSettings)"/>.
/// <see cref="Corners"/> are top-left, top-right, bottom-right, bottom-left in the input frame (empty when no page was found);
/// <see cref="Blur"/> and <see cref="Glare"/> are 0..1 (0 = none); <see cref="Image"/> is the corrected page,
/// or null when no page was found.
/// </summary>
public sealed record DocumentAnalysis(bool PageFound, IReadOnlyList<PageCorner> Corners, double Blur, double Glare, CapturedImage? Image, TimeSpan Elapsed);
