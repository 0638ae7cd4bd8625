namespace Kiosk.Devices.IdCardReader;

/// <summary>A GA/T 467 host command: the command byte and its parameter byte.</summary>
internal readonly record struct SamCommand(byte Cmd, byte Para)
{
    public override string ToString() => $"{Cmd:X2} {Para:X2}";
}
