namespace Kiosk.Devices.FingerprintReader;

/// <summary>
/// Confirmation codes of the R30x user manual (acknowledge packet, first content byte) mapped to HAL
/// completion codes. Codes not listed are hardware errors. Mappings marked "judgement" are ours.
/// </summary>
internal static class R30xConfirmation
{
    public const byte Ok = 0x00;

    private static readonly Dictionary<byte, (CompletionCode Code, string Meaning)> Table = new()
    {
        [0x00] = (CompletionCode.Success, "ok"),
        // 0x01: the module received our packet corrupted. Judgement: HardwareError (line fault).
        [0x01] = (CompletionCode.HardwareError, "the module received a corrupted packet"),
        [0x02] = (CompletionCode.NoMedia, "no finger on the sensor"),
        [0x03] = (CompletionCode.HardwareError, "failed to enroll the finger image"),
        [0x06] = (CompletionCode.UserError, "the image is too messy; press the finger flat and still"),
        [0x07] = (CompletionCode.UserError, "too few feature points; press the finger flat and still"),
        [0x0E] = (CompletionCode.HardwareError, "the module cannot receive the following data packets"),
        [0x0F] = (CompletionCode.HardwareError, "the module failed to upload the image"),
        // 0x13: wrong handshake password. Judgement: DeviceNotReady (configuration, not a broken module).
        [0x13] = (CompletionCode.DeviceNotReady, "wrong module password"),
        // 0x15: Img2Tz found no valid image in the buffer. Judgement: UserError (capture again).
        [0x15] = (CompletionCode.UserError, "no valid image in the image buffer"),
        [0x18] = (CompletionCode.HardwareError, "error writing the flash"),
        [0x19] = (CompletionCode.HardwareError, "undefined module error"),
        [0x1D] = (CompletionCode.HardwareError, "communication port failure"),
    };

    public static (CompletionCode Code, string Meaning) Map(byte confirmation) =>
        Table.TryGetValue(confirmation, out var entry) ? entry : (CompletionCode.HardwareError, $"undocumented confirmation code 0x{confirmation:X2}");
}
