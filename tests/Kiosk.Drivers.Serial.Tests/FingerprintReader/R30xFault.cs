namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

internal enum R30xFault
{
    None,
    NoFinger,
    Messy,
    BadChecksum,
    Silent,
    /// <summary>Acknowledges UpImage, then sends no image (to pull the cable mid-upload).</summary>
    SilentOnUpload,
    /// <summary>GenImg answers 0x03 once.</summary>
    EnrollFailedOnce,
}
