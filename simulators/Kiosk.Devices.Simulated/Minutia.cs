namespace Kiosk.Devices.Simulated;

/// <summary>One minutia as ISO/IEC 19794-2:2005 stores it: pixel position, angle in 1.40625° units, quality 0..100.</summary>
internal readonly record struct Minutia(MinutiaType Type, int X, int Y, byte Angle, byte Quality);

/// <summary>The 2-bit minutia type of ISO/IEC 19794-2:2005 (section 7.4.1.1).</summary>
internal enum MinutiaType
{
    Other = 0,
    RidgeEnding = 1,
    Bifurcation = 2,
}
