namespace Kiosk.Devices;

/// <summary>Image compression algorithm codes of ISO/IEC 19794-4:2005 (table "Compression algorithm codes").</summary>
public enum FingerImageCompression
{
    UncompressedNoBitPacking = 0,
    UncompressedBitPacked = 1,
    Wsq = 2,
    Jpeg = 3,
    Jpeg2000 = 4,
    Png = 5,
}
