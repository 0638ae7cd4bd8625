using Kiosk.Devices.DocumentImaging;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentCamera;

/// <summary>
/// The brightness-step measure the side search and the last check use (<see cref="PageEdges.QuadSupport"/>), on a
/// drawn light quad on a dark ground, smoothed as the detector smooths its working frame.
/// </summary>
public sealed class PageEdgesTests
{
    private static readonly Point2f[] Page = [new(200, 150), new(700, 120), new(740, 480), new(230, 520)];

    [Test]
    public void The_pages_own_outline_is_a_step_into_it_all_the_way_round()
    {
        var support = Support(Page, ground: 40, paper: 200);
        Assert.That(support, Is.GreaterThanOrEqualTo(0.95));
    }

    [Test]
    public void A_quad_inside_the_page_or_around_it_is_not()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Support(Shrink(Page, 15), ground: 40, paper: 200), Is.LessThan(0.1), "inside the page");
            Assert.That(Support(Shrink(Page, -15), ground: 40, paper: 200), Is.LessThan(0.1), "out on the desk");
        });
    }

    [Test]
    public void A_dark_quad_on_a_light_ground_is_no_page()
    {
        // The steps are there but run the wrong way: the page is the brighter side.
        Assert.That(Support(Page, ground: 200, paper: 40), Is.LessThan(0.05));
    }

    [Test]
    public void A_faint_step_still_counts_and_no_step_does_not()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Support(Page, ground: 100, paper: 115), Is.GreaterThanOrEqualTo(0.9), "15 grey levels");
            Assert.That(Support(Page, ground: 100, paper: 101), Is.LessThan(0.05), "one grey level");
        });
    }

    [Test]
    public void A_side_the_outline_follows_but_that_is_no_step_is_found_again_at_the_pages_edge()
    {
        // The outline ran along something inside the page (a cup's rim lying on it, a fold): every side is "seen", but the
        // right one is a chord with no step across it. Without the second search the corners stay where the outline put them.
        var chord = (Point2f[])Page.Clone();
        chord[1] = Page[1] + (Page[0] - Page[1]) * 0.12f;
        chord[2] = Page[2] + (Page[3] - Page[2]) * 0.12f;
        var gradients = Gradients(ground: 40, paper: 200);
        var corners = PageEdges.Refine(gradients, PageLines.Outline(chord), chord);
        Assert.That(corners.Zip(Page).Max(p => p.First.DistanceTo(p.Second)), Is.LessThan(3), string.Join(" ", corners));
    }

    [Test]
    public void A_page_whose_outline_is_its_edge_all_the_way_round_keeps_its_corners()
    {
        var gradients = Gradients(ground: 40, paper: 200);
        var corners = PageEdges.Refine(gradients, PageLines.Outline(Page), Page);
        Assert.That(corners, Is.EqualTo(Page));
    }

    private static double Support(Point2f[] quad, int ground, int paper) => PageEdges.QuadSupport(Gradients(ground, paper), quad);

    /// <summary>The gradients of <see cref="Page"/> drawn on a ground, smoothed as the detector smooths its working frame.</summary>
    private static PageEdges.Gradients Gradients(int ground, int paper)
    {
        using var frame = new Mat(640, 960, MatType.CV_8UC1, Scalar.All(ground));
        Cv2.FillConvexPoly(frame, Page.Select(p => new Point(p.X, p.Y)).ToArray(), Scalar.All(paper), LineTypes.AntiAlias);
        using var smooth = new Mat();
        Cv2.GaussianBlur(frame, smooth, new Size(5, 5), 0);
        return new PageEdges.Gradients(smooth);
    }

    /// <summary>The quad moved <paramref name="pixels"/> towards its centre (outwards when negative).</summary>
    private static Point2f[] Shrink(Point2f[] quad, float pixels)
    {
        var centre = new Point2f(quad.Average(p => p.X), quad.Average(p => p.Y));
        return [.. quad.Select(p =>
        {
            var towards = centre - p;
            var length = (float)Math.Sqrt(towards.X * towards.X + towards.Y * towards.Y);
            return p + towards * (pixels / length);
        })];
    }
}
