namespace Kiosk.Devices.Simulated;

/// <summary>A made-up person for the simulators: the card they carry and the photograph (source id) that shows their face.</summary>
public sealed record SimulatedPerson(IdCardData Card, string FaceSourceId)
{
    /// <summary>How the face is shown to the camera: <see cref="FacePresentation.Live"/>, or a presentation attack.</summary>
    public FacePresentation Presentation { get; init; }
}

/// <summary>What stands in front of the simulated face camera.</summary>
public enum FacePresentation
{
    /// <summary>The person: moves a little and does what a liveness challenge asks.</summary>
    Live,

    /// <summary>
    /// A presentation attack: a still photograph of the person held up (ISO/IEC 30107-1 "artefact"). It neither moves nor
    /// blinks nor turns, so every liveness check fails, the passive one included.
    /// </summary>
    StillPhoto,
}
