namespace Kiosk.Devices.Simulated;

/// <summary>
/// The preview frames the simulated camera shows while a capture runs, made from the presented photograph: nobody in
/// front of it (a bare wall), the person far away (the photograph small in the middle of the wall), and the person close
/// enough (the photograph filling the frame). Frames are RGB PNGs at most <see cref="MaxWidth"/> wide, made once per
/// photograph; the face box is where the face is in the test photographs (see <see cref="FaceBoxes"/>).
/// </summary>
internal sealed class SimulatedFacePreview
{
    /// <summary>As the real camera's previews (drivers/Kiosk.Devices.FaceCamera, FacePreviewFeed).</summary>
    public const int MaxWidth = 320;

    /// <summary>The frame's size when nobody is presented and there is no photograph to size it by.</summary>
    private const int EmptySize = 256;

    /// <summary>
    /// The face boxes of the test photographs, in their 512x512 pixels: the astronaut's as the OpenCV driver's frontal-face
    /// cascade finds it; the cameraman's (a profile, which that cascade misses) drawn by hand around his face.
    /// </summary>
    private static readonly Dictionary<string, (int X, int Y, int Width, int Height)> FaceBoxes = new(StringComparer.Ordinal)
    {
        ["astronaut"] = (177, 67, 93, 93),
        ["camera"] = (172, 95, 85, 95),
    };

    // A plain grey-blue wall, as an empty kiosk booth looks to its camera.
    private static readonly (byte Red, byte Green, byte Blue) Wall = (88, 94, 104);

    private SimulatedFacePreview(FacePreview nobody, FacePreview far, FacePreview near, FacePreview crowded)
    {
        Nobody = nobody;
        Far = far;
        Near = near;
        Crowded = crowded;
    }

    /// <summary>The empty view when nothing is presented at all.</summary>
    public static FacePreview NobodyPresented { get; } = new(Encode(RgbImage.Filled(EmptySize, EmptySize, Wall.Red, Wall.Green, Wall.Blue)), null, FaceHint.NoFace);

    /// <summary>Nobody in front of the camera yet.</summary>
    public FacePreview Nobody { get; }

    /// <summary>The person, too far away.</summary>
    public FacePreview Far { get; }

    /// <summary>The person close enough, face found: the frame the capture is taken from.</summary>
    public FacePreview Near { get; }

    /// <summary>The person with somebody else in view (no single face to box).</summary>
    public FacePreview Crowded { get; }

    /// <summary>The frames for photograph <paramref name="sourceId"/> (its PNG bytes), or null when the PNG cannot be read.</summary>
    public static SimulatedFacePreview? From(string sourceId, ReadOnlySpan<byte> png)
    {
        var photo = RgbImage.TryDecodePng(png);
        if (photo is null)
        {
            return null;
        }

        var factor = (photo.Width + MaxWidth - 1) / MaxWidth;
        var near = photo.Shrunk(factor);
        var wall = RgbImage.Filled(near.Width, near.Height, Wall.Red, Wall.Green, Wall.Blue);
        var small = photo.Shrunk(2 * factor);
        var (left, top) = ((near.Width - small.Width) / 2, (near.Height - small.Height) / 2);
        var face = FaceBoxes.TryGetValue(sourceId, out var known) && photo.Width == 512 && photo.Height == 512
            ? known
            // Another photograph: a portrait's face, centred in the upper half.
            : (X: photo.Width * 7 / 20, Y: photo.Height / 8, Width: photo.Width * 3 / 10, Height: photo.Width * 3 / 10);

        var nearImage = Encode(near);
        return new SimulatedFacePreview(
            new FacePreview(Encode(wall), null, FaceHint.NoFace),
            new FacePreview(Encode(wall.With(small, left, top)), Box(face, 2 * factor, left, top, near), FaceHint.MoveCloser),
            new FacePreview(nearImage, Box(face, factor, 0, 0, near), FaceHint.HoldStill),
            new FacePreview(nearImage, null, FaceHint.OneFaceOnly));
    }

    private static CapturedImage Encode(RgbImage image) => new(image.EncodePng(), "image/png", image.Width, image.Height);

    private static PreviewBox Box((int X, int Y, int Width, int Height) face, int factor, int left, int top, RgbImage frame)
    {
        var x = Math.Clamp(left + (face.X / factor), 0, frame.Width - 1);
        var y = Math.Clamp(top + (face.Y / factor), 0, frame.Height - 1);
        return new PreviewBox(x, y, Math.Clamp(face.Width / factor, 1, frame.Width - x), Math.Clamp(face.Height / factor, 1, frame.Height - y));
    }
}
