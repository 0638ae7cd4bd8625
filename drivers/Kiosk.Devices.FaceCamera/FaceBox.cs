using System.Text.Json.Serialization;

namespace Kiosk.Devices.FaceCamera;

/// <summary>A detected face's bounding box in image pixels.</summary>
public readonly record struct FaceBox(int X, int Y, int Width, int Height)
{
    public double CentreX => X + (Width / 2.0);

    public double CentreY => Y + (Height / 2.0);

    /// <summary>The detector's confidence, 0..1, when it gives one (BlazeFace does; the cascades do not).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Confidence { get; init; }
}
