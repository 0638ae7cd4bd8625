namespace Kiosk.Drivers.Serial.Tests.IdCardReader;

/// <summary>What the SAM stand-in does wrong.</summary>
internal enum SamFault
{
    None,
    NoCard,
    BadChecksum,
    Truncated,
    GarbageBeforePreamble,
    Silent,
    WrongCheckDigit,
    /// <summary>Answers find and select, then says nothing to the read (to pull the cable mid-read).</summary>
    SilentOnRead,
    /// <summary>SW3 0x60, SAM self-test failed.</summary>
    SelfTestFailed,
}
