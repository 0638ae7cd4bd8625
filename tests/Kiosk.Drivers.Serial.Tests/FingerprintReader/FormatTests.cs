using System.Buffers.Binary;
using Kiosk.Devices;
using Kiosk.Devices.FingerprintReader;

namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

/// <summary>R30x packets, the PNG encoder and the ISO/IEC 19794-4 wrapper, without a serial line.</summary>
public sealed class FormatTests
{
    [Test]
    public void GenImg_encodes_as_in_the_manual() =>
        Assert.That(new R30xPacket(R30xPacket.Command, [0x01]).Encode(0xFFFFFFFF),
            Is.EqualTo(new byte[] { 0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05 }));

    [Test]
    public async Task A_packet_after_noise_reads_back_and_a_bad_checksum_throws()
    {
        var packet = R30xStandIn.Ack(0x00, 1, 2, 3);
        var reader = new R30xPacketReader(new MemoryStream([0x55, 0xEF, 0x00, .. packet]), 0xFFFFFFFF);
        var read = await reader.ReadAsync(CancellationToken.None);
        Assert.That((read.PacketId, read.Contents), Is.EqualTo((R30xPacket.Acknowledge, new byte[] { 0, 1, 2, 3 })));

        packet[^1] ^= 1;
        var corrupt = new R30xPacketReader(new MemoryStream(packet), 0xFFFFFFFF);
        Assert.ThrowsAsync<InvalidDataException>(() => corrupt.ReadAsync(CancellationToken.None));
    }

    [Test]
    public void Checksum_wraps_at_65536() =>
        Assert.That(R30xPacket.Checksum(Enumerable.Repeat((byte)0xFF, 300).ToArray()), Is.EqualTo((ushort)(300 * 255 % 65536)));

    [Test]
    public void Four_bit_pixels_unpack_high_nibble_first()
    {
        var packed = new byte[FingerImage.PackedLength];
        packed[0] = 0xF0;
        var pixels = FingerImage.Unpack(packed);
        Assert.That((pixels[0], pixels[1]), Is.EqualTo(((byte)255, (byte)0)));
    }

    [Test]
    public void Quality_is_zero_for_a_blank_sensor_and_high_for_ridges()
    {
        Assert.That(FingerImage.Quality(new byte[256 * 288], 256, 288), Is.Zero);
        Assert.That(FingerImage.Quality(FingerImage.Unpack(R30xStandIn.SyntheticImage()), 256, 288), Is.GreaterThan(40));
    }

    [Test]
    public void Png_round_trips_through_an_independent_decoder()
    {
        var pixels = Enumerable.Range(0, 7 * 5).Select(i => (byte)(i * 7)).ToArray();
        var png = PngProbe.Read(GrayscalePng.Encode(pixels, 7, 5));
        Assert.That((png.Width, png.Height, png.Pixels), Is.EqualTo((7, 5, pixels)));
        Assert.That(GrayscalePng.Crc32("IEND"u8) ^ 0xFFFFFFFF, Is.EqualTo(0xAE426082u), "CRC of the IEND chunk");
    }

    [Test]
    public void A_finger_image_record_has_the_2005_edition_headers_byte_for_byte()
    {
        var image = GrayscalePng.Encode(new byte[3 * 2], 3, 2);
        var record = FingerImageRecord.Write(image, FingerImageCompression.Png, 3, 2, 500, FingerPosition.LeftIndex, 30);
        Assert.That(record, Has.Length.EqualTo(32 + 14 + image.Length), "32-byte ISO header, not ANSI/INCITS 381's 36");
        Assert.That(record[..8], Is.EqualTo("FIR\0010\0"u8.ToArray()));
        Assert.That(record[8..14], Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, (byte)record.Length }), "6-byte record length");
        Assert.That(record[14..32], Is.EqualTo(new byte[] { 0, 0, 0, 30, 1, 1, 0x01, 0xF4, 0x01, 0xF4, 0x01, 0xF4, 0x01, 0xF4, 8, 5, 0, 0 }),
            "device id, level 30, one finger, ppi, 500 x4, 8 bits, PNG, reserved");
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(record.AsSpan(32)), Is.EqualTo((uint)(14 + image.Length)), "finger data block length");
        Assert.That(record[36..46], Is.EqualTo(new byte[] { 7, 1, 1, 254, 0, 0, 3, 0, 2, 0 }), "left index, one view, view 1, quality not defined, live-scan plain, 3 x 2, reserved");
        Assert.That(record[46..], Is.EqualTo(image));
    }

    [Test]
    public void An_uncompressed_record_reads_back_through_the_independent_reader()
    {
        var pixels = Enumerable.Range(0, 4 * 3).Select(i => (byte)(i * 20)).ToArray();
        var parsed = Kiosk.Devices.Tests.Formats.FingerImageRecordFile.Parse(FingerImageRecord.Write(pixels, FingerImageCompression.UncompressedNoBitPacking, 4, 3, 500, FingerPosition.RightThumb, 31));
        Assert.That((parsed.AcquisitionLevel, parsed.Compression, parsed.Fingers[0].Position, parsed.Fingers[0].Width, parsed.Fingers[0].Height), Is.EqualTo((31, 0, 1, 4, 3)));
        Assert.That(parsed.Fingers[0].Image, Is.EqualTo(pixels));
    }

    [Test]
    public void Images_the_header_would_misdescribe_are_refused_with_the_reason()
    {
        var png = GrayscalePng.Encode(new byte[4 * 3], 4, 3);
        Assert.Multiple(() =>
        {
            Assert.That(() => FingerImageRecord.Write(png, FingerImageCompression.Png, 256, 288, 500, FingerPosition.RightIndex, 30),
                Throws.ArgumentException.With.Message.Contains("the PNG is 4x3, not the 256x288"));
            Assert.That(() => FingerImageRecord.Write(new byte[10], FingerImageCompression.Png, 4, 3, 500, FingerPosition.RightIndex, 30),
                Throws.ArgumentException.With.Message.Contains("not a PNG"));
            Assert.That(() => FingerImageRecord.Write(new byte[11], FingerImageCompression.UncompressedNoBitPacking, 4, 3, 500, FingerPosition.RightIndex, 30),
                Throws.ArgumentException.With.Message.Contains("11 bytes are not a 4x3 image"));
            Assert.That(() => FingerImageRecord.Write(png, FingerImageCompression.Png, 4, 3, 500, FingerPosition.RightIndex, 32),
                Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("acquisition setting levels"));
            Assert.That(() => FingerImageRecord.FromPng(new CapturedImage(png, "image/png", 4, 3), FingerPosition.RightIndex, 30),
                Throws.ArgumentException.With.Message.Contains("resolution (Dpi) is not known"));
            Assert.That(() => FingerImageRecord.FromPng(new CapturedImage(png, "image/jpeg", 4, 3) { Dpi = 500 }, FingerPosition.RightIndex, 30),
                Throws.ArgumentException.With.Message.Contains("not image/jpeg"));
        });
    }
}
