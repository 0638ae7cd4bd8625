namespace Kiosk.Devices.Simulated;

/// <summary>A made-up person for the simulators: the card they carry and the photograph (source id) that shows their face.</summary>
public sealed record SimulatedPerson(IdCardData Card, string FaceSourceId);
