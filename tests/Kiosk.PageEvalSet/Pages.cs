using OpenCvSharp;

namespace Kiosk.PageEvalSet;

/// <summary>
/// The pages laid under the camera: Debian's two page photographs (python3-skimage <c>page.png</c>, a printed book page,
/// and <c>text.png</c>, handwriting on grey paper) and two A4 pages drawn here (a form with a table, a stamp and a
/// signature; a letter of plain paragraphs on off-white paper), so the set holds both portrait and landscape pages,
/// grey and white paper, and pages whose content runs close to their edges.
/// </summary>
internal static class Pages
{
    /// <summary>A4 at 100 dpi (ISO 216: 210 x 297 mm).</summary>
    private const int A4Width = 827;

    private const int A4Height = 1169;

    public static IReadOnlyList<(string Name, Mat Page)> Load(string sources, Random random) =>
    [
        ("page", Read(Path.Combine(sources, "page.png"))),
        ("text", Read(Path.Combine(sources, "text.png"))),
        ("form", Form(random)),
        ("letter", Letter(random)),
    ];

    private static Mat Read(string path)
    {
        var mat = Cv2.ImRead(path, ImreadModes.Color);
        return mat.Empty() ? throw new FileNotFoundException($"page '{path}' is missing or unreadable", path) : mat;
    }

    /// <summary>A filled-in application form: title, labelled fields in a table, a red round stamp, a signature.</summary>
    private static Mat Form(Random random)
    {
        var page = new Mat(A4Height, A4Width, MatType.CV_8UC3, new Scalar(246, 247, 248));
        Cv2.PutText(page, "APPLICATION FOR LEAVE", new Point(150, 110), HersheyFonts.HersheyDuplex, 1.3, Scalar.All(20), 2, LineTypes.AntiAlias);
        var top = 180;
        for (var row = 0; row < 9; row++)
        {
            var y = top + (row * 70);
            Cv2.Rectangle(page, new Rect(60, y, A4Width - 120, 70), Scalar.All(40), 1);
            Cv2.Line(page, new Point(280, y), new Point(280, y + 70), Scalar.All(40), 1);
            Cv2.PutText(page, $"Field {row + 1}", new Point(75, y + 45), HersheySimplex(), 0.8, Scalar.All(30), 1, LineTypes.AntiAlias);
            Cv2.PutText(page, Words(random, 3), new Point(300, y + 45), HersheyFonts.HersheyScriptSimplex, 0.9, new Scalar(120, 40, 20), 1, LineTypes.AntiAlias);
        }

        Paragraph(page, random, top + 700, 7);
        Cv2.Circle(page, new Point(620, 1010), 80, new Scalar(40, 40, 200), 4, LineTypes.AntiAlias);
        Cv2.PutText(page, "APPROVED", new Point(555, 1018), HersheyFonts.HersheyDuplex, 0.7, new Scalar(40, 40, 200), 2, LineTypes.AntiAlias);
        var points = Enumerable.Range(0, 40).Select(i => new Point(120 + (i * 6), 1060 + (int)(18 * Math.Sin(i * 0.7)))).ToArray();
        Cv2.Polylines(page, [points], false, new Scalar(90, 30, 10), 2, LineTypes.AntiAlias);
        return page;
    }

    /// <summary>A letter: paragraphs of text from margin to margin on slightly off-white paper.</summary>
    private static Mat Letter(Random random)
    {
        var page = new Mat(A4Height, A4Width, MatType.CV_8UC3, new Scalar(225, 232, 236));
        Cv2.PutText(page, "Certificate of employment", new Point(70, 100), HersheyFonts.HersheyTriplex, 1.1, Scalar.All(25), 2, LineTypes.AntiAlias);
        Paragraph(page, random, 170, 30);
        return page;
    }

    private static void Paragraph(Mat page, Random random, int top, int lines)
    {
        for (var line = 0; line < lines; line++)
        {
            Cv2.PutText(page, Words(random, 6 + random.Next(3)), new Point(70, top + (line * 30)), HersheySimplex(), 0.7, Scalar.All(35), 1, LineTypes.AntiAlias);
        }
    }

    private static HersheyFonts HersheySimplex() => HersheyFonts.HersheySimplex;

    private static readonly string[] Vocabulary =
    [
        "the", "report", "office", "address", "employer", "residence", "month", "permission", "travel", "signed", "hereby",
        "certify", "working", "since", "date", "name", "number", "district", "approved", "duties", "hours", "weekly",
    ];

    private static string Words(Random random, int count) =>
        string.Join(' ', Enumerable.Range(0, count).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
}
