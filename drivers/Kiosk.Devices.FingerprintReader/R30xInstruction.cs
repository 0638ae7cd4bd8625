namespace Kiosk.Devices.FingerprintReader;

/// <summary>Instruction codes of the R30x user manual used by this driver.</summary>
internal static class R30xInstruction
{
    /// <summary>Detect a finger and store its image in the image buffer.</summary>
    public const byte GenImg = 0x01;

    /// <summary>Generate a character file from the image buffer into char buffer 1 or 2.</summary>
    public const byte Img2Tz = 0x02;

    /// <summary>Upload the image buffer as data packets (4 bits per pixel, two pixels a byte).</summary>
    public const byte UpImage = 0x0A;

    /// <summary>Read the 16-byte system parameters.</summary>
    public const byte ReadSysPara = 0x0F;

    /// <summary>Verify the 4-byte handshake password.</summary>
    public const byte VfyPwd = 0x13;
}
