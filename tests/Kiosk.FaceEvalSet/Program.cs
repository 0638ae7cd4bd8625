using System.Globalization;
using System.Text.Json;
using Kiosk.FaceEvalSet;
using OpenCvSharp;

// face-eval-set --photos DIR --out DIR
// Composes the face detector evaluation set: 640x480 JPEG frames, each with a JSON file of its truth (README.md).
// Deterministic: the same photographs give the same frames (seeded; no clock, no threads).
const int Version = 1;
const int Seed = 20261206;
const int Width = 640;
const int Height = 480;

var photos = Argument("--photos");
var output = Argument("--out");
Directory.CreateDirectory(output);
foreach (var old in Directory.EnumerateFiles(output))
{
    File.Delete(old);
}

var random = new Random(Seed);
var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
var cache = new Dictionary<string, Mat>(StringComparer.Ordinal);
var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

Mat Photo(string name) => cache.TryGetValue(name, out var mat) ? mat : cache[name] = Load(Path.Combine(photos, name));
IReadOnlyList<Rect> FacesOf(string photo) => [.. SourceFaces.All.Where(f => f.Photo == photo).Select(f => f.Box)];
Point2d Centre(Rect r) => new(r.X + (r.Width / 2.0), r.Y + (r.Height / 2.0));

// The face of `face` made `fraction` of the frame width wide, its centre at (x, y) as fractions of the frame.
Frame Person(SourceFace face, double fraction, double x, double y, int width = Width, int height = Height)
{
    using var wall = Looks.Wall(width, height, random);
    var scale = fraction * Width / face.Box.Width;
    return Frame.Place(Photo(face.Photo), FacesOf(face.Photo), scale, Centre(face.Box), new Point2d(x * width, y * height), width, height, wall);
}

void Write(string category, string source, string variant, Frame frame)
{
    var name = $"{category}-{source}-{variant}";
    Cv2.ImWrite(Path.Combine(output, name + ".jpg"), frame.Image, new ImageEncodingParam(ImwriteFlags.JpegQuality, 92));
    var truth = new
    {
        image = name + ".jpg",
        category,
        source,
        variant,
        width = frame.Image.Width,
        height = frame.Image.Height,
        faces = frame.Faces.Select(Box),
        ignore = frame.Ignore.Select(Box),
    };
    File.WriteAllText(Path.Combine(output, name + ".json"), JsonSerializer.Serialize(truth, json) + "\n");
    counts[category] = counts.GetValueOrDefault(category) + 1;
    frame.Dispose();
}

// Scale: the face 10 % to 70 % of the frame width, centred a little above the middle as at a kiosk.
foreach (var face in SourceFaces.All)
{
    foreach (var percent in new[] { 10, 15, 20, 30, 40, 50, 60, 70 })
    {
        Write("scale", face.Id, $"w{percent}", Person(face, percent / 100.0, 0.5, 0.45));
    }
}

// Position: a quarter-width face off centre, two of eight places per face.
(string Name, double X, double Y)[] places =
[
    ("top-left", 0.2, 0.3), ("top", 0.5, 0.25), ("top-right", 0.8, 0.3), ("left", 0.15, 0.5),
    ("right", 0.85, 0.5), ("bottom-left", 0.2, 0.7), ("bottom", 0.5, 0.75), ("bottom-right", 0.8, 0.7),
];
foreach (var face in SourceFaces.All)
{
    foreach (var place in places.OrderBy(_ => random.Next()).Take(2))
    {
        Write("position", face.Id, place.Name, Person(face, 0.25, place.X, place.Y));
    }
}

// Lighting and focus: a face 35 % of the width, centred.
foreach (var face in SourceFaces.All)
{
    using (var frame = Person(face, 0.35, 0.5, 0.45))
    {
        Write("light", face.Id, "dark", frame.With(Looks.Dark(frame.Image, random)));
        Write("light", face.Id, "bright", frame.With(Looks.Bright(frame.Image)));
        Write("light", face.Id, "backlit", frame.With(Looks.Backlit(frame.Image, frame.Faces[0])));
        Write("blur", face.Id, "s2", frame.With(Looks.Blurred(frame.Image, 2)));
        Write("blur", face.Id, "s4", frame.With(Looks.Blurred(frame.Image, 4)));
    }
}

// Two people side by side: two faces from different photographs, each in its half of the frame.
var all = SourceFaces.All;
for (var i = 0; i < all.Count; i++)
{
    var other = Enumerable.Range(7, all.Count).Select(k => all[(i + k) % all.Count]).First(f => f.Photo != all[i].Photo);
    using var left = Person(all[i], 0.2, 0.5, 0.45, Width / 2, Height);
    using var right = Person(other, 0.2, 0.5, 0.45, Width / 2, Height);
    Write("two", all[i].Id, other.Id, Frame.SideBySide(left, right));
}

// No person: each photograph filling the frame, and a seeded closer crop of it.
foreach (var name in SourceFaces.NoPerson)
{
    var photo = Photo(name);
    var id = Path.GetFileNameWithoutExtension(name).Replace('_', '-');
    using var wall = Looks.Wall(Width, Height, random);
    var cover = Math.Max((double)Width / photo.Width, (double)Height / photo.Height);
    var middle = new Point2d(photo.Width / 2.0, photo.Height / 2.0);
    Write("none", id, "whole", Frame.Place(photo, [], cover, middle, new Point2d(Width / 2.0, Height / 2.0), Width, Height, wall));
    var zoom = cover * (1.3 + random.NextDouble());
    var spot = new Point2d(photo.Width * (0.3 + (0.4 * random.NextDouble())), photo.Height * (0.3 + (0.4 * random.NextDouble())));
    Write("none", id, "closer", Frame.Place(photo, [], zoom, spot, new Point2d(Width / 2.0, Height / 2.0), Width, Height, wall));
}

var manifest = new { version = Version, seed = Seed, width = Width, height = Height, images = counts.Values.Sum(), categories = counts };
File.WriteAllText(Path.Combine(output, "manifest.json"), JsonSerializer.Serialize(manifest, json) + "\n");
Console.WriteLine($"face-eval-set: {counts.Values.Sum()} frames in {output} ({string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))})");
return 0;

string Argument(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : throw new ArgumentException($"usage: face-eval-set --photos DIR --out DIR ({name} missing)");
}

static object Box(Rect r) => new { x = r.X, y = r.Y, width = r.Width, height = r.Height };

static Mat Load(string path)
{
    var mat = Cv2.ImRead(path, ImreadModes.Color);
    return mat.Empty() ? throw new FileNotFoundException($"photograph '{path}' is missing or unreadable", path) : mat;
}
