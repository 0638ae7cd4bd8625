namespace Kiosk.Devices.IdCardReader;

/// <summary>One response frame of the SAM: the status words SW1 SW2 SW3 and the data (checksum already verified).</summary>
internal sealed record SamResponse(byte Sw1, byte Sw2, byte Sw3, byte[] Data)
{
    public string StatusText => $"SW {Sw1:X2} {Sw2:X2} {Sw3:X2}";
}
