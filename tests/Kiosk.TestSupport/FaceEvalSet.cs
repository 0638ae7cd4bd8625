using System.Text.Json;

namespace Kiosk.TestSupport;

/// <summary>A box of the face evaluation set's truth, in frame pixels.</summary>
public readonly record struct FaceEvalBox(int X, int Y, int Width, int Height)
{
    public double CentreX => X + (Width / 2.0);

    public double CentreY => Y + (Height / 2.0);

    public bool Contains(double x, double y) => x >= X && x < X + Width && y >= Y && y < Y + Height;
}

/// <summary>One frame of the set: its file, its scenario (scale, position, light, blur, two, none) and its truth.</summary>
public sealed record FaceEvalImage(string Path, string Name, string Category, string Source, string Variant, IReadOnlyList<FaceEvalBox> Faces, IReadOnlyList<FaceEvalBox> Ignore);

/// <summary>
/// The face detector evaluation set that tests/data/fetch-face-eval-set.sh composes into .cache/face-eval/frames
/// (tests/Kiosk.FaceEvalSet/README.md): 640x480 JPEG frames, each with a JSON file of its truth.
/// </summary>
public static class FaceEvalSet
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private static readonly Lazy<IReadOnlyList<FaceEvalImage>?> Images = new(Load);

    public static string Folder => Environment.GetEnvironmentVariable("KIOSK_FACE_EVAL") is { Length: > 0 } d
        ? Path.Combine(d, "frames")
        : Path.Combine(RepositoryPaths.Root, ".cache", "face-eval", "frames");

    /// <summary>Why the set cannot be used, or null when it is there.</summary>
    public static string? Missing => Images.Value is null
        ? $"the face evaluation set is not in {Folder}: run tests/data/fetch-face-eval-set.sh (./kiosk.sh test does)"
        : null;

    /// <summary>Every frame, or none when the set is missing (see <see cref="Missing"/>).</summary>
    public static IReadOnlyList<FaceEvalImage> All => Images.Value ?? [];

    /// <summary>The frame named (file name without extension), e.g. "scale-astronaut-w50".</summary>
    public static FaceEvalImage Get(string name) =>
        All.SingleOrDefault(i => i.Name == name) ?? throw new ArgumentException($"no frame '{name}' in {Folder}", nameof(name));

    private static List<FaceEvalImage>? Load()
    {
        if (!File.Exists(Path.Combine(Folder, "manifest.json")))
        {
            return null;
        }

        var images = new List<FaceEvalImage>();
        foreach (var file in Directory.EnumerateFiles(Folder, "*.json").Where(f => Path.GetFileName(f) != "manifest.json").Order(StringComparer.Ordinal))
        {
            var truth = JsonSerializer.Deserialize<Truth>(File.ReadAllText(file), Json)
                ?? throw new InvalidDataException($"{file} is not a truth file");
            images.Add(new FaceEvalImage(Path.Combine(Folder, truth.Image), Path.GetFileNameWithoutExtension(truth.Image), truth.Category, truth.Source, truth.Variant, truth.Faces, truth.Ignore));
        }

        return images;
    }

    private sealed record Truth(string Image, string Category, string Source, string Variant, FaceEvalBox[] Faces, FaceEvalBox[] Ignore);
}
