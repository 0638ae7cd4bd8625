using System.Text.Json.Serialization;

namespace Kiosk.Devices.FaceCamera;

/// <summary>Which 1:1 matcher backs <see cref="IFaceMatcher"/> (<c>Kiosk:Devices:FaceMatcher:Method</c>); measured against each other in README.md.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaceMatcherMethod>))]
public enum FaceMatcherMethod
{
    /// <summary>OpenCV's LBPH texture comparison (<see cref="OpenCvFaceMatcher"/>, threshold <see cref="FaceMatcherOptions.Threshold"/>).</summary>
    Lbph,
    /// <summary>A face-embedding network (<see cref="OnnxFaceEmbeddingMatcher"/>, model <see cref="FaceMatcherOptions.EmbeddingModelPath"/>, threshold <see cref="FaceMatcherOptions.EmbeddingThreshold"/>).</summary>
    Embedding,
}
