using OpenCvSharp;

namespace Kiosk.FaceEvalSet;

/// <summary>A face in a source photograph: the photograph's file name, a short id and the face box in its pixels.</summary>
internal sealed record SourceFace(string Photo, string Id, Rect Box);

/// <summary>
/// Every face in the source photographs, boxed by hand: boxes proposed by a detector, each checked by eye on the
/// photograph (every box on a face, no face without a box), eyebrows to chin and cheek to cheek.
/// </summary>
internal static class SourceFaces
{
    /// <summary>Debian python3-skimage's astronaut.png (NASA, public domain): one frontal face.</summary>
    public static IReadOnlyList<SourceFace> Astronaut { get; } = [new("astronaut.png", "astronaut", new Rect(173, 74, 104, 104))];

    /// <summary>
    /// The six demo photographs of the npm package @vladmandic/face-api 1.7.15 (MIT; its README: "Photos shown below are
    /// taken by me"): 22 people, in groups of three to five, most facing the camera, several with the head tilted or
    /// lowered. Ids run left to right in each photograph.
    /// </summary>
    public static IReadOnlyList<SourceFace> Groups { get; } =
    [
        new("sample1.jpg", "s1a", new Rect(420, 410, 188, 188)),
        new("sample1.jpg", "s1b", new Rect(851, 469, 177, 176)),
        new("sample1.jpg", "s1c", new Rect(1490, 263, 156, 156)),
        new("sample2.jpg", "s2a", new Rect(352, 182, 210, 210)),
        new("sample2.jpg", "s2b", new Rect(871, 249, 208, 208)),
        new("sample2.jpg", "s2c", new Rect(1458, 199, 197, 196)),
        new("sample3.jpg", "s3a", new Rect(589, 382, 206, 207)),
        new("sample3.jpg", "s3b", new Rect(1064, 256, 252, 252)),
        new("sample3.jpg", "s3c", new Rect(1457, 351, 215, 215)),
        new("sample4.jpg", "s4a", new Rect(239, 245, 174, 175)),
        new("sample4.jpg", "s4b", new Rect(678, 130, 160, 160)),
        new("sample4.jpg", "s4c", new Rect(977, 229, 196, 196)),
        new("sample4.jpg", "s4d", new Rect(1279, 197, 187, 188)),
        new("sample5.jpg", "s5a", new Rect(359, 942, 204, 203)),
        new("sample5.jpg", "s5b", new Rect(570, 456, 198, 199)),
        new("sample5.jpg", "s5c", new Rect(779, 162, 163, 164)),
        new("sample5.jpg", "s5d", new Rect(1113, 257, 183, 182)),
        new("sample5.jpg", "s5e", new Rect(1417, 437, 213, 213)),
        new("sample6.jpg", "s6a", new Rect(237, 539, 220, 220)),
        new("sample6.jpg", "s6b", new Rect(655, 374, 242, 242)),
        new("sample6.jpg", "s6c", new Rect(1151, 353, 231, 231)),
        new("sample6.jpg", "s6d", new Rect(1464, 313, 248, 248)),
    ];

    public static IReadOnlyList<SourceFace> All { get; } = [.. Astronaut, .. Groups];

    /// <summary>Photographs of Debian python3-skimage without a person (camera.png has one and is left out).</summary>
    public static IReadOnlyList<string> NoPerson { get; } =
    [
        "coffee.png", "chelsea.png", "coins.png", "page.png", "text.png", "rocket.jpg", "horse.png", "brick.png",
        "grass.png", "gravel.png", "moon.png", "motorcycle_left.png", "hubble_deep_field.jpg", "retina.jpg", "ihc.png",
        "cell.png", "logo.png", "color.png", "clock_motion.png",
    ];
}
