namespace Kiosk.Devices.SignaturePad;

/// <summary>The pen's state at one SYN_REPORT: position and pressure in device units, touch and proximity.</summary>
internal readonly record struct PenReport(long TimestampMicroseconds, int X, int Y, int Pressure, bool Touch, bool InProximity)
{
    /// <summary>On the pad and pressing: a pad reporting touch with zero pressure is still in the air.</summary>
    public bool PenDown => Touch && Pressure > 0;
}
