using System.Text.Json;

namespace Kiosk.TestSupport;

/// <summary>
/// One frame of the document camera evaluation set: its file, its scenario (pose, light, blur, desk, fingers, small,
/// cutoff, none), the page and desk it shows, and its truth: whether a page is there to be found and, if so, its four
/// corners in frame pixels, clockwise from the page's own top-left.
/// </summary>
public sealed record PageEvalImage(string Path, string Name, string Category, string Source, string Desk, string Variant, int Width, int Height, bool Page, IReadOnlyList<(double X, double Y)> Corners)
{
    public double Diagonal => Math.Sqrt((Width * (double)Width) + (Height * (double)Height));
}

/// <summary>
/// The document camera evaluation set that tests/data/fetch-page-eval-set.sh composes into .cache/page-eval/frames
/// (tests/Kiosk.PageEvalSet/README.md): 1920x1080 JPEG frames, each with a JSON file of its truth.
/// </summary>
public static class PageEvalSet
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private static readonly Lazy<IReadOnlyList<PageEvalImage>?> Images = new(Load);

    public static string Folder => Environment.GetEnvironmentVariable("KIOSK_PAGE_EVAL") is { Length: > 0 } d
        ? Path.Combine(d, "frames")
        : Path.Combine(RepositoryPaths.Root, ".cache", "page-eval", "frames");

    /// <summary>Why the set cannot be used, or null when it is there.</summary>
    public static string? Missing => Images.Value is null
        ? $"the page evaluation set is not in {Folder}: run tests/data/fetch-page-eval-set.sh (./kiosk.sh test does)"
        : null;

    /// <summary>Every frame, or none when the set is missing (see <see cref="Missing"/>).</summary>
    public static IReadOnlyList<PageEvalImage> All => Images.Value ?? [];

    /// <summary>
    /// The largest distance between a found corner and its true one, matching the four found corners (clockwise, any
    /// starting corner) to the truth in the cyclic order that fits best.
    /// </summary>
    public static double CornerError(IReadOnlyList<(double X, double Y)> truth, IReadOnlyList<(double X, double Y)> found)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(found);
        if (truth.Count != 4 || found.Count != 4)
        {
            throw new ArgumentException("four corners each");
        }

        var best = double.MaxValue;
        for (var shift = 0; shift < 4; shift++)
        {
            var worst = 0.0;
            for (var i = 0; i < 4; i++)
            {
                var (tx, ty) = truth[i];
                var (fx, fy) = found[(i + shift) % 4];
                worst = Math.Max(worst, Math.Sqrt(((tx - fx) * (tx - fx)) + ((ty - fy) * (ty - fy))));
            }

            best = Math.Min(best, worst);
        }

        return best;
    }

    private static List<PageEvalImage>? Load()
    {
        if (!File.Exists(Path.Combine(Folder, "manifest.json")))
        {
            return null;
        }

        var images = new List<PageEvalImage>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Where(f => System.IO.Path.GetFileName(f) != "manifest.json").Order(StringComparer.Ordinal))
        {
            var truth = JsonSerializer.Deserialize<Truth>(File.ReadAllText(file), Json)
                ?? throw new InvalidDataException($"{file} is not a truth file");
            images.Add(new PageEvalImage(System.IO.Path.Combine(Folder, truth.Image), System.IO.Path.GetFileNameWithoutExtension(truth.Image), truth.Category, truth.Source, truth.Desk, truth.Variant, truth.Width, truth.Height, truth.Page, [.. truth.Corners.Select(c => (c[0], c[1]))]));
        }

        return images;
    }

    private sealed record Truth(string Image, string Category, string Source, string Desk, string Variant, int Width, int Height, bool Page, double[][] Corners);
}
