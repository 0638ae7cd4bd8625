namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

public enum R30xFault
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
    /// <summary>UpImage ends (end-of-data packet) after 100 of the image's 288 packets.</summary>
    ShortUpload,
    /// <summary>UpImage sends a whole image of a 192 x 192 sensor (the R503's), 18432 bytes.</summary>
    SmallerSensor,
    /// <summary>UpImage sends a whole image of a 256 x 360 sensor, 46080 bytes: more than a 256 x 288 buffer holds.</summary>
    LargerSensor,
}
