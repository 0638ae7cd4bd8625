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
    public void A_finger_image_record_has_the_19794_4_headers()
    {
        var image = new byte[] { 1, 2, 3, 4, 5 };
        var record = FingerImageRecord.Wrap(image, FingerImageCompression.Png, 256, 288, 500, FingerPosition.LeftIndex, 77);
        Assert.That(record, Has.Length.EqualTo(36 + 14 + 5));
        Assert.That(record[..8], Is.EqualTo("FIR\0010\0"u8.ToArray()));
        Assert.That(record[8..14], Is.EqualTo(new byte[] { 0, 0, 0, 0, 0, 55 }), "6-byte record length");
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(20)), Is.EqualTo(31), "acquisition level");
        Assert.That((record[22], record[23]), Is.EqualTo(((byte)1, (byte)1)), "one finger, pixels per inch");
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(24)), Is.EqualTo(500));
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(30)), Is.EqualTo(500));
        Assert.That((record[32], record[33]), Is.EqualTo(((byte)8, (byte)5)), "8 bits, PNG");
        Assert.That(BinaryPrimitives.ReadUInt32BigEndian(record.AsSpan(36)), Is.EqualTo(19u), "finger data block length");
        Assert.That(record[40..45], Is.EqualTo(new byte[] { 7, 1, 1, 77, 0 }), "position, views, view, quality, live-scan plain");
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(45)), Is.EqualTo(256));
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(record.AsSpan(47)), Is.EqualTo(288));
        Assert.That(record[50..], Is.EqualTo(image));
    }
}
