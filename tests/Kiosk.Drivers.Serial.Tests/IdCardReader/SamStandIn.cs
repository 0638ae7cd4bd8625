using System.Buffers.Binary;
using Kiosk.Devices;
using Kiosk.Devices.IdCardReader;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Serial.Tests.IdCardReader;

/// <summary>A GA/T 467 SAM at the device end of the pty pair: real frames, scriptable faults.</summary>
internal sealed class SamStandIn(string devicePath) : SamCommandStandIn(devicePath)
{
    public const string Find = "20 01";
    public const string Select = "20 02";
    public const string Read = "30 01";
    public const string SamId = "12 FF";

    private int _onceLeft;

    /// <summary>The card on the reader.</summary>
    public IdCardData Card { get; set; } = TestPeople.Card;

    /// <summary>The fault played on every command (or only the next <see cref="Once"/> ones).</summary>
    public SamFault Fault { get; set; }

    /// <summary>Plays <paramref name="fault"/> on the next <paramref name="commands"/> commands only.</summary>
    public void Once(SamFault fault, int commands = 1)
    {
        Fault = fault;
        _onceLeft = commands;
    }

    /// <summary>The 1295-byte frame answering a read: SW 00 00 90, text length, photo length, text, photo.</summary>
    public static byte[] ReadResponse(IdCardData card)
    {
        var text = IdCardText.Format(card);
        var photo = card.Photo.Length == IdCardText.PhotoLength ? card.Photo.ToArray() : TestPeople.Photo;
        var data = new byte[4 + text.Length + photo.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)text.Length);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)photo.Length);
        text.CopyTo(data, 4);
        photo.CopyTo(data, 4 + text.Length);
        return SamFrame.EncodeResponse(0x00, 0x00, SamStatus.Success, data);
    }

    protected override IEnumerable<byte[]> Answer(string name, byte[] request)
    {
        var fault = Fault;
        if (_onceLeft > 0 && --_onceLeft == 0)
        {
            Fault = SamFault.None;
        }

        if (fault == SamFault.Silent || (fault == SamFault.SilentOnRead && name == Read))
        {
            return [];
        }

        if (fault == SamFault.NoCard && name == Find)
        {
            return [SamFrame.EncodeResponse(0, 0, SamStatus.NoCard)];
        }

        if (fault == SamFault.SelfTestFailed && name == Find)
        {
            _onceLeft = 0;
            Fault = SamFault.None;
            return [SamFrame.EncodeResponse(0, 0, 0x60)];
        }

        var answer = name switch
        {
            Find => SamFrame.EncodeResponse(0, 0, SamStatus.FindCardSuccess, new byte[4]),
            Select => SamFrame.EncodeResponse(0, 0, SamStatus.Success, new byte[8]),
            Read => ReadResponse(fault == SamFault.WrongCheckDigit ? TestPeople.WithWrongCheckDigit(Card) : Card),
            SamId => SamFrame.EncodeResponse(0, 0, SamStatus.Success, Convert.FromHexString("0501000000000000000000000000000A")),
            _ => SamFrame.EncodeResponse(0, 0, 0x21),
        };

        return fault switch
        {
            SamFault.BadChecksum => [Corrupt(answer)],
            SamFault.Truncated when name == Read => [answer[..600]],
            SamFault.GarbageBeforePreamble => [[0x00, 0xAA, 0x13, 0xAA, 0xAA, 0x96, 0xFF, 0x69], answer],
            _ => [answer],
        };
    }

    private static byte[] Corrupt(byte[] frame)
    {
        var copy = (byte[])frame.Clone();
        copy[^1] ^= 0x5A;
        return copy;
    }
}
