using System.Globalization;
using System.Text.Json;
using Kiosk.PageEvalSet;
using OpenCvSharp;

// page-eval-set --sources DIR --out DIR [--seed N]
// Composes the document camera evaluation set: 1920x1080 JPEG frames, each with a JSON file of its truth (README.md).
// Deterministic: the same sources give the same frames (seeded; no clock, no threads). Another --seed makes another set
// of the same make, for measuring a change to the detector on frames it was not made with.
const int Version = 1;
const int DefaultSeed = 20261207;

var sources = Argument("--sources");
var output = Argument("--out");
var seed = Array.IndexOf(args, "--seed") is var at and >= 0 ? int.Parse(Argument("--seed"), CultureInfo.InvariantCulture) : DefaultSeed;
Directory.CreateDirectory(output);
foreach (var old in Directory.EnumerateFiles(output))
{
    File.Delete(old);
}

var random = new Random(seed);
Cv2.SetTheRNG((ulong)seed);
var pages = Pages.Load(sources, random);
string[] deskNames = ["coffee.png", "brick.png", "gravel.png", "grass.png", "coins.png", "chelsea.png", "moon.png", "hubble_deep_field.jpg"];
var desks = deskNames.Select(n => (Name: Path.GetFileNameWithoutExtension(n).Replace('_', '-'), Texture: Load(Path.Combine(sources, n)))).ToArray();
var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
var index = 0;

// A page the camera must find: the categories differ in how the frame is made harder.
void PageFrame(string category, double minBrightness, double maxBrightness, (double Min, double Max) areaShare, Action<Scene>? looks, bool cutOff = false)
{
    var (name, page) = pages[index % pages.Count];
    var desk = desks[random.Next(desks.Length)];
    var brightness = minBrightness + (random.NextDouble() * (maxBrightness - minBrightness));
    using var scene = Scene.OnDesk(desk.Texture, brightness, random);
    var pose = Pose(page, areaShare, cutOff);
    scene.Lay(page, pose.LongSide, pose.Degrees, pose.Keystone, pose.X, pose.Y);
    looks?.Invoke(scene);
    scene.Noise(2);
    var variant = string.Create(CultureInfo.InvariantCulture, $"r{pose.Degrees:0}-k{pose.Keystone:0.00}-b{brightness:0.00}");
    Write(category, name, desk.Name, variant, scene, expectPage: !cutOff);
}

// A frame without a page to find: the desk alone, a hand over it, or a card too small to be a page.
void EmptyFrame(string variant, Action<Scene> looks)
{
    var desk = desks[random.Next(desks.Length)];
    var brightness = 0.15 + (random.NextDouble() * 0.35);
    using var scene = Scene.OnDesk(desk.Texture, brightness, random);
    looks(scene);
    scene.Noise(2);
    Write("none", "none", desk.Name, variant, scene, expectPage: false);
}

for (var i = 0; i < 64; i++, index++)
{
    PageFrame("pose", 0.15, 0.35, (0.15, 0.45), null);
}

for (var i = 0; i < 32; i++, index++)
{
    PageFrame("light", 0.15, 0.35, (0.15, 0.4), s => s.Gradient(0.45 + (0.25 * random.NextDouble()), 1.0 + (0.2 * random.NextDouble()), random));
}

for (var i = 0; i < 24; i++, index++)
{
    var sigma = 1.5 + (2 * random.NextDouble());
    PageFrame("blur", 0.15, 0.35, (0.15, 0.4), s => s.Blur(sigma));
}

for (var i = 0; i < 32; i++, index++)
{
    PageFrame("desk", 0.4, 0.6, (0.15, 0.4), null);
}

for (var i = 0; i < 40; i++, index++)
{
    var fingers = 1 + random.Next(3);
    PageFrame("fingers", 0.15, 0.4, (0.15, 0.4), s =>
    {
        for (var f = 0; f < fingers; f++)
        {
            s.Finger(random.Next(4), 0.15 + (0.7 * random.NextDouble()), 32 + random.Next(16), random);
        }
    });
}

for (var i = 0; i < 16; i++, index++)
{
    PageFrame("small", 0.15, 0.35, (0.12, 0.16), null);
}

for (var i = 0; i < 20; i++, index++)
{
    PageFrame("cutoff", 0.15, 0.35, (0.2, 0.4), null, cutOff: true);
}

for (var i = 0; i < 10; i++)
{
    EmptyFrame("desk", _ => { });
}

for (var i = 0; i < 10; i++)
{
    EmptyFrame("card", s => s.Card(400 + random.Next(1100), 300 + random.Next(480), 220 + random.Next(120), random.Next(-40, 40)));
}

var manifest = new { version = Version, seed, width = Scene.Width, height = Scene.Height, images = counts.Values.Sum(), categories = counts };
File.WriteAllText(Path.Combine(output, "manifest.json"), JsonSerializer.Serialize(manifest, json) + "\n");
Console.WriteLine($"page-eval-set: {counts.Values.Sum()} frames in {output} ({string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))})");
return 0;

// Where the page lies: its size from a share of the frame's area, a turn of up to 30 degrees, a keystone of up to 0.15,
// and a centre that keeps it inside the frame with a margin, or (cutOff) pushes a fifth to a half of it out.
(double LongSide, double Degrees, double Keystone, double X, double Y) Pose(Mat page, (double Min, double Max) areaShare, bool cutOff)
{
    var aspect = Math.Min(page.Width, page.Height) / (double)Math.Max(page.Width, page.Height);
    for (var attempt = 0; ; attempt++)
    {
        var share = areaShare.Min + (random.NextDouble() * (areaShare.Max - areaShare.Min));
        var longSide = Math.Sqrt(share * Scene.Width * Scene.Height / aspect);
        var degrees = (random.NextDouble() * 60) - 30;
        var keystone = random.NextDouble() * 0.15;
        var angle = degrees * Math.PI / 180;
        var w = page.Width >= page.Height ? longSide : longSide * aspect;
        var h = page.Width >= page.Height ? longSide * aspect : longSide;
        var halfX = ((Math.Abs(Math.Cos(angle)) * w) + (Math.Abs(Math.Sin(angle)) * h)) / 2;
        var halfY = ((Math.Abs(Math.Sin(angle)) * w) + (Math.Abs(Math.Cos(angle)) * h)) / 2;
        const double Margin = 30;
        if (!cutOff && halfX * 2 < Scene.Width - (2 * Margin) && halfY * 2 < Scene.Height - (2 * Margin))
        {
            return (longSide, degrees, keystone, Rand(halfX + Margin, Scene.Width - halfX - Margin), Rand(halfY + Margin, Scene.Height - halfY - Margin));
        }

        if (cutOff)
        {
            // Out by 20 % to 50 % of its extent over one frame edge.
            var outside = 0.2 + (0.3 * random.NextDouble());
            var (x, y) = random.Next(4) switch
            {
                0 => (halfX * (1 - (2 * outside)), Scene.Height / 2.0),
                1 => (Scene.Width - (halfX * (1 - (2 * outside))), Scene.Height / 2.0),
                2 => (Scene.Width / 2.0, halfY * (1 - (2 * outside))),
                _ => (Scene.Width / 2.0, Scene.Height - (halfY * (1 - (2 * outside)))),
            };
            return (longSide, degrees, keystone, x, y);
        }

        if (attempt > 1000)
        {
            throw new InvalidOperationException("no pose fits the frame");
        }
    }
}

double Rand(double min, double max) => min + (random.NextDouble() * (max - min));

void Write(string category, string source, string desk, string variant, Scene scene, bool expectPage)
{
    counts[category] = counts.GetValueOrDefault(category) + 1;
    var name = string.Create(CultureInfo.InvariantCulture, $"{category}-{counts[category]:000}-{source}-{desk}");
    Cv2.ImWrite(Path.Combine(output, name + ".jpg"), scene.Frame, new ImageEncodingParam(ImwriteFlags.JpegQuality, 92));
    var truth = new
    {
        image = name + ".jpg",
        category,
        source,
        desk,
        variant,
        width = scene.Frame.Width,
        height = scene.Frame.Height,
        page = expectPage,
        corners = expectPage ? scene.Corners.Select(c => new[] { Math.Round(c.X, 2), Math.Round(c.Y, 2) }) : [],
    };
    File.WriteAllText(Path.Combine(output, name + ".json"), JsonSerializer.Serialize(truth, json) + "\n");
}

string Argument(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"usage: page-eval-set --sources DIR --out DIR ({name} missing)");
}

static Mat Load(string path)
{
    var mat = Cv2.ImRead(path, ImreadModes.Color);
    return mat.Empty() ? throw new FileNotFoundException($"photograph '{path}' is missing or unreadable", path) : mat;
}
