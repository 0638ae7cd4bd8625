using System.Buffers.Binary;
using Kiosk.Devices;
using Kiosk.Devices.FingerprintReader;
using Kiosk.Devices.IdCardReader;

namespace Kiosk.Fuzz.Seeds;

/// <summary>Seeds for the serial devices, made with the drivers' own encoders: SAM frames and card text (GA/T 467), R30x packets.</summary>
internal static class SerialSeeds
{
    public static IEnumerable<(string Target, string Name, byte[] Bytes)> All()
    {
        var ok = SamFrame.EncodeResponse(0x00, 0x00, SamStatus.Success);
        var found = SamFrame.EncodeResponse(0x00, 0x00, SamStatus.FindCardSuccess);
        var text = IdCardText.Format(Card(until: new DateOnly(2034, 5, 1)));
        var photo = Enumerable.Range(0, IdCardText.PhotoLength).Select(i => (byte)(i * 7)).ToArray();
        var read = SamFrame.EncodeResponse(0x00, 0x00, SamStatus.Success, CardData(text, photo));

        yield return ("sam-frame", "success.bin", ok);
        yield return ("sam-frame", "noise-then-card-found.bin", [0x12, 0xAA, 0xAA, 0x55, .. found]);
        yield return ("sam-frame", "text-and-photo.bin", read);
        yield return ("id-card-text", "valid-until-2034.bin", [.. text, .. photo]);
        yield return ("id-card-text", "long-term.bin", IdCardText.Format(Card(until: null)));
        yield return ("sam-reader", "card-read.bin", [.. found, .. ok, .. read]);
        yield return ("sam-reader", "no-card.bin", SamFrame.EncodeResponse(0x00, 0x00, SamStatus.NoCard));
        yield return ("sam-reader", "card-moved.bin", [.. found, .. ok, .. SamFrame.EncodeResponse(0x00, 0x00, 0x41)]);

        const uint address = 0xFFFFFFFF;
        var acknowledged = new R30xPacket(R30xPacket.Acknowledge, [R30xConfirmation.Ok]).Encode(address);
        yield return ("r30x-packet", "ack.bin", acknowledged);
        yield return ("r30x-packet", "data-then-end.bin", [.. Packet(R30xPacket.Data, 128, 3), .. Packet(R30xPacket.EndOfData, 32, 5)]);
        yield return ("r30x-packet", "system-parameters.bin", new R30xPacket(R30xPacket.Acknowledge, [0, 0, 0, 0, 9, 0, 3, 0, 0x16, 0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 0, 6]).Encode(address));
        yield return ("r30x-capture", "no-finger.bin", new R30xPacket(R30xPacket.Acknowledge, [0x02]).Encode(address));
        yield return ("r30x-capture", "short-image.bin", [.. acknowledged, .. acknowledged, .. acknowledged, .. Packet(R30xPacket.Data, 256, 1), .. Packet(R30xPacket.EndOfData, 256, 2)]);
        yield return ("r30x-capture", "full-image.bin", FullCapture(acknowledged));
    }

    private static IdCardData Card(DateOnly? until) => new()
    {
        Name = "张三",
        SexCode = "1",
        EthnicityCode = "01",
        BirthDate = new DateOnly(1980, 1, 2),
        Address = "北京市东城区某某街道1号",
        IdNumber = "110101198001020016",
        IssuingAuthority = "北京市公安局东城分局",
        ValidFrom = new DateOnly(2014, 5, 1),
        ValidUntil = until,
    };

    /// <summary>GA/T 467 basic information: text length, photo length (both big-endian), text, photo.</summary>
    private static byte[] CardData(byte[] text, byte[] photo)
    {
        var data = new byte[4 + text.Length + photo.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, (ushort)text.Length);
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)photo.Length);
        text.CopyTo(data, 4);
        photo.CopyTo(data, 4 + text.Length);
        return data;
    }

    private static byte[] Packet(byte id, int length, int seed) =>
        new R30xPacket(id, [.. Enumerable.Range(0, length).Select(i => (byte)((i * seed) ^ (i >> 3)))]).Encode(0xFFFFFFFF);

    /// <summary>GenImg, Img2Tz and UpImage acknowledged, then the 256 x 288 image at 4 bits per pixel in 256-byte packets.</summary>
    private static byte[] FullCapture(byte[] acknowledged)
    {
        var packets = FingerImage.PackedLength / 256;
        var stream = new List<byte>();
        stream.AddRange(acknowledged);
        stream.AddRange(acknowledged);
        stream.AddRange(acknowledged);
        for (var i = 0; i < packets; i++)
        {
            stream.AddRange(Packet(i == packets - 1 ? R30xPacket.EndOfData : R30xPacket.Data, 256, i + 1));
        }

        return [.. stream];
    }
}
