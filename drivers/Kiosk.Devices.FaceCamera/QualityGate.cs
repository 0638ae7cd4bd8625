namespace Kiosk.Devices.FaceCamera;

/// <summary>
/// The quality gates of <see cref="QualityGates"/>, as flags: which ones a face failed. The reasons say the same in words
/// for people; these let the camera turn the failures into a plain-words hint (<see cref="FaceHints"/>) without parsing them.
/// </summary>
[Flags]
internal enum QualityGate
{
    None = 0,
    FaceTooSmall = 1 << 0,
    EyesNotFound = 1 << 1,
    EyesTooClose = 1 << 2,
    NotSharp = 1 << 3,
    TooDark = 1 << 4,
    TooBright = 1 << 5,
    LowContrast = 1 << 6,
    HeadTilted = 1 << 7,
    HeadTurned = 1 << 8,
    NotCentred = 1 << 9,
    TooHighOrLow = 1 << 10,
    FaceTooLarge = 1 << 11,
}
