using System.Text.Json.Serialization;

namespace Kiosk.Devices.FaceCamera;

/// <summary>What <see cref="FaceAnalyzer"/> concluded about one image (serialised by name in JSON).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaceVerdict>))]
public enum FaceVerdict
{
    /// <summary>Exactly one face and every quality gate passed.</summary>
    Accepted,
    /// <summary>Exactly one face, but at least one quality gate failed (see the reasons).</summary>
    PoorQuality,
    NoFace,
    /// <summary>Two or more faces.</summary>
    MultipleFaces,
    /// <summary>The bytes are not an image, or the frame is blank/corrupt.</summary>
    Unreadable,
}
