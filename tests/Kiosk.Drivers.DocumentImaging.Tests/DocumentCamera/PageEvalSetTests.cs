using System.Globalization;
using Kiosk.Devices.DocumentImaging;
using Kiosk.TestSupport;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentCamera;

/// <summary>
/// Page detection on the document camera evaluation set (tests/Kiosk.PageEvalSet/README.md; the driver README says what
/// was changed after looking at it and how that measured on sets of other seeds): every corner of a page must be found within 1 % of the image diagonal, and a frame without a whole
/// page (nothing, a hand, a small card, a page running out of view) must give none. Prints the error distribution the
/// driver README reports.
/// </summary>
public sealed class PageEvalSetTests
{
    /// <summary>The acceptance: a corner within 1 % of the image diagonal (22 px of a 1920x1080 frame).</summary>
    private const double Tolerance = 0.01;

    /// <summary>
    /// Share of the set's pages that must be corrected within <see cref="Tolerance"/>: the measured rate (207 of 208, see the
    /// driver README), held so a change cannot lower it unnoticed; the target is all of them.
    /// </summary>
    private const double RequiredRate = 0.995;

    /// <summary>Share of the frames without a whole page that must give none: all of them (measured: 40 of 40).</summary>
    private const double RequiredRejectRate = 1.0;

    /// <summary>
    /// A page found is never far off: its worst corner within this share of the diagonal (measured: 1.36 %). A page the
    /// detector is not sure of must be "no page", not a page cropped wrong.
    /// </summary>
    private const double MaxFoundError = 0.02;

    [Test]
    public void Pages_are_corrected_within_one_percent_of_the_diagonal_and_frames_without_a_whole_page_give_none()
    {
        if (PageEvalSet.Missing is { } missing)
        {
            Assert.Ignore(missing);
        }

        var errors = new List<(PageEvalImage Image, double Share)>();
        var misses = new List<string>();
        int rejected = 0, empty = 0, cutOffNamed = 0;
        foreach (var image in PageEvalSet.All)
        {
            using var frame = Cv2.ImRead(image.Path, ImreadModes.Color);
            var (corners, miss) = DocumentAnalyzer.Locate(frame);
            if (!image.Page)
            {
                empty++;
                if (corners.Count == 0)
                {
                    rejected++;
                    cutOffNamed += image.Category == "cutoff" && miss == PageMiss.CutOff ? 1 : 0;
                }
                else
                {
                    misses.Add($"{image.Name}: a page found where there is none");
                }

                continue;
            }

            if (corners.Count == 0)
            {
                misses.Add($"{image.Name}: no page found ({miss})");
                errors.Add((image, double.PositiveInfinity));
                continue;
            }

            var share = PageEvalSet.CornerError(image.Corners, [.. corners.Select(c => (c.X, c.Y))]) / image.Diagonal;
            errors.Add((image, share));
            if (share > Tolerance)
            {
                misses.Add(string.Create(CultureInfo.InvariantCulture, $"{image.Name}: corner off by {share:P2} of the diagonal"));
            }
        }

        var shares = errors.Select(e => e.Share).Order().ToArray();
        var within = shares.Count(s => s <= Tolerance);
        var found = shares.Where(double.IsFinite).ToArray();
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pages: {within}/{shares.Length} within {Tolerance:P0} of the diagonal; worst-corner error (found pages, % of diagonal) median {Percentile(found, 50):P3}, p95 {Percentile(found, 95):P3}, max {found.Max():P3}"));
        foreach (var category in errors.GroupBy(e => e.Image.Category).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ok = category.Count(e => e.Share <= Tolerance);
            var finite = category.Select(e => e.Share).Where(double.IsFinite).Order().ToArray();
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {category.Key}: {ok}/{category.Count()}, median {Percentile(finite, 50):P3}, max {(finite.Length > 0 ? finite.Max() : double.NaN):P3}"));
        }

        TestContext.Out.WriteLine($"without a whole page: {rejected}/{empty} gave none ({cutOffNamed} cut-off pages named as such)");
        foreach (var line in misses)
        {
            TestContext.Out.WriteLine("  " + line);
        }

        Assert.Multiple(() =>
        {
            Assert.That(within / (double)shares.Length, Is.GreaterThanOrEqualTo(RequiredRate), "pages corrected within 1 % of the diagonal");
            Assert.That(rejected / (double)empty, Is.GreaterThanOrEqualTo(RequiredRejectRate), "frames without a whole page giving none");
            Assert.That(found.Max(), Is.LessThanOrEqualTo(MaxFoundError), "worst corner of a page found, as a share of the diagonal");
        });
    }

    [Test]
    public void The_corner_error_matches_corners_in_any_cyclic_order()
    {
        (double, double)[] truth = [(0, 0), (10, 0), (10, 10), (0, 10)];
        Assert.That(PageEvalSet.CornerError(truth, [(10, 0), (10, 10), (0, 10), (0, 3)]), Is.EqualTo(3).Within(1e-9));
        Assert.That(PageEvalSet.CornerError(truth, [(5, 5), (5, 5), (5, 5), (5, 5)]), Is.EqualTo(Math.Sqrt(50)).Within(1e-9));
    }

    private static double Percentile(double[] sorted, double percent) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}
