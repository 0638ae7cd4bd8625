using Kiosk.Devices.DocumentImaging;
using OpenCvSharp;

namespace Kiosk.Drivers.DocumentImaging.Tests.DocumentCamera;

/// <summary>
/// The last check's look inside a page's sides (<see cref="PageBorder.DeskInside"/>), on a drawn page on a dark desk with
/// a light joint of the desk running beside its left edge.
/// </summary>
public sealed class PageBorderTests
{
    private const int Desk = 40;
    private const int Paper = 200;

    [Test]
    public void The_pages_own_sides_have_the_page_inside_them()
    {
        using var frame = Frame(margin: Paper);
        Assert.That(PageBorder.DeskInside(frame, Quad(left: 300)), Is.GreaterThan(0.8));
    }

    [Test]
    public void A_side_that_took_in_the_joint_and_the_desk_beside_the_page_has_desk_inside_it()
    {
        // The joint's far edge (x = 262) is a step into the quad as strong as the page's own; inside it lie the joint
        // and the desk between it and the page.
        using var frame = Frame(margin: Paper);
        Assert.That(PageBorder.DeskInside(frame, Quad(left: 262)), Is.LessThan(0.1));
    }

    [Test]
    public void A_shaded_margin_is_still_lighter_than_the_desk()
    {
        // page.png's left margin is shaded to about 90 against paper at 200.
        using var frame = Frame(margin: 90);
        Assert.That(PageBorder.DeskInside(frame, Quad(left: 300)), Is.GreaterThan(0.2));
    }

    private static Point2f[] Quad(float left) => [new(left, 150), new(760, 150), new(760, 500), new(left, 500)];

    /// <summary>Paper from x = 300 (its first 25 px at <paramref name="margin"/>), a joint at 130 from x = 262 to 274.</summary>
    private static Mat Frame(int margin)
    {
        using var frame = new Mat(640, 960, MatType.CV_8UC1, Scalar.All(Desk));
        Cv2.Rectangle(frame, new Rect(262, 0, 12, 640), Scalar.All(130), -1);
        Cv2.Rectangle(frame, new Rect(300, 150, 460, 350), Scalar.All(Paper), -1);
        Cv2.Rectangle(frame, new Rect(300, 150, 25, 350), Scalar.All(margin), -1);
        var smooth = new Mat();
        Cv2.GaussianBlur(frame, smooth, new Size(5, 5), 0);
        return smooth;
    }
}
