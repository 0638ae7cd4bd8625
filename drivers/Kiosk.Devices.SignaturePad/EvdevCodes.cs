namespace Kiosk.Devices.SignaturePad;

/// <summary>
/// The event types and codes this driver reads, as defined in the Linux UAPI header
/// include/uapi/linux/input-event-codes.h (and the record layout in include/uapi/linux/input.h).
/// </summary>
internal static class EvdevCodes
{
    /// <summary>sizeof(struct input_event) on 64-bit Linux: struct timeval (two 8-byte longs), __u16 type, __u16 code, __s32 value.</summary>
    public const int RecordSize = 24;

    public const ushort EvSyn = 0x00;
    public const ushort EvKey = 0x01;
    public const ushort EvAbs = 0x03;

    public const ushort SynReport = 0;

    /// <summary>The kernel's event buffer overflowed; events up to the next SYN_REPORT are to be discarded (Documentation/input/event-codes.rst).</summary>
    public const ushort SynDropped = 3;

    public const ushort BtnToolPen = 0x140;
    public const ushort BtnTouch = 0x14a;

    public const ushort AbsX = 0x00;
    public const ushort AbsY = 0x01;
    public const ushort AbsPressure = 0x18;
}
