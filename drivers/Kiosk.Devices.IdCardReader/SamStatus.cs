namespace Kiosk.Devices.IdCardReader;

/// <summary>
/// The SW3 status byte of GA/T 467-2004 (appendix on SAM status codes) mapped to HAL completion codes.
/// Mappings marked "judgement" are ours: the standard says what failed, not who is to blame.
/// </summary>
internal static class SamStatus
{
    /// <summary>Operation succeeded.</summary>
    public const byte Success = 0x90;

    /// <summary>Find card succeeded (寻找证/卡成功).</summary>
    public const byte FindCardSuccess = 0x9F;

    /// <summary>Find card failed: no card in the field.</summary>
    public const byte NoCard = 0x80;

    private static readonly Dictionary<byte, (CompletionCode Code, string Meaning)> Table = new()
    {
        [0x90] = (CompletionCode.Success, "operation succeeded"),
        [0x9F] = (CompletionCode.Success, "card found"),
        // 0x91: the card has no such content (e.g. no fingerprint data). For the basic text read it means the
        // card returned nothing usable. Judgement: InvalidData.
        [0x91] = (CompletionCode.InvalidData, "the card has no such content"),
        // 0x10/0x11: the SAM received our frame with a bad checksum or length: the line is corrupting data.
        // Judgement: HardwareError (link fault; the next operation may work).
        [0x10] = (CompletionCode.HardwareError, "the SAM received a frame with a bad checksum"),
        [0x11] = (CompletionCode.HardwareError, "the SAM received a frame with a bad length"),
        [0x21] = (CompletionCode.Unsupported, "the SAM does not know the command"),
        // 0x23 越权操作 (operation not permitted in the current state). Judgement: HardwareError.
        [0x23] = (CompletionCode.HardwareError, "operation not permitted by the SAM"),
        [0x24] = (CompletionCode.HardwareError, "unrecognised SAM error"),
        // 0x31/0x32: mutual authentication between card and SAM failed: the card is not a genuine
        // resident ID card or has been tampered with. Judgement: FraudAttempt.
        [0x31] = (CompletionCode.FraudAttempt, "the card failed to authenticate the SAM"),
        [0x32] = (CompletionCode.FraudAttempt, "the SAM failed to authenticate the card"),
        // 0x33: the card's data failed verification. Judgement: InvalidData (could also be tampering).
        [0x33] = (CompletionCode.InvalidData, "card information verification failed"),
        // 0x40: not a resident ID card (a bank or transit card was put on the reader). Judgement: UserError.
        [0x40] = (CompletionCode.UserError, "not a resident ID card"),
        // 0x41: reading failed half way, in practice because the card was moved. Judgement: UserError.
        [0x41] = (CompletionCode.UserError, "reading the card failed; keep the card still"),
        [0x47] = (CompletionCode.HardwareError, "the SAM could not get a random number from the card"),
        [0x60] = (CompletionCode.HardwareError, "the SAM self-test failed"),
        // 0x66: the SAM is not authorised (not registered with the issuing authority). Judgement: HardwareError.
        [0x66] = (CompletionCode.HardwareError, "the SAM is not authorised"),
        [0x80] = (CompletionCode.NoMedia, "no card on the reader"),
        // 0x81: a card was found but could not be selected, usually because it was taken away. Judgement: NoMedia.
        [0x81] = (CompletionCode.NoMedia, "selecting the card failed"),
    };

    /// <summary>The completion code and meaning of an SW3 value; unknown codes are hardware errors.</summary>
    public static (CompletionCode Code, string Meaning) Map(byte sw3) =>
        Table.TryGetValue(sw3, out var entry) ? entry : (CompletionCode.HardwareError, $"undocumented SAM status 0x{sw3:X2}");

    public static IEnumerable<byte> Documented => Table.Keys;
}
