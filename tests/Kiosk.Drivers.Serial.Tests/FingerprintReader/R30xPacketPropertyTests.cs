using CsCheck;
using Kiosk.Devices.FingerprintReader;

namespace Kiosk.Drivers.Serial.Tests.FingerprintReader;

/// <summary>
/// Encode/decode round trips of R30x packets (R30x user manual, "Data package format") over generated values
/// (CsCheck): every packet the module may send comes back through the reader, for any module address.
/// </summary>
public sealed class R30xPacketPropertyTests
{
    [Test]
    public void Every_packet_comes_back_through_the_reader_after_noise_without_a_header()
    {
        var packets = Gen.Select(Gen.UInt, Gen.OneOf(R30xPacket.Command, R30xPacket.Data, R30xPacket.Acknowledge, R30xPacket.EndOfData), Gen.Byte.Array[1, R30xPacket.MaxContents], Gen.Byte.Where(b => b != 0xEF).Array[0, 16]);
        packets.Sample(p =>
        {
            var (address, id, contents, noise) = p;
            var reader = new R30xPacketReader(new MemoryStream([.. noise, .. new R30xPacket(id, contents).Encode(address)]), address);

            var packet = reader.ReadAsync(CancellationToken.None).GetAwaiter().GetResult();

            Assert.That((packet.PacketId, packet.Contents), Is.EqualTo((id, contents)));
        }, iter: 300, threads: 1);
    }

    [Test]
    public void A_changed_content_byte_is_always_a_bad_checksum()
    {
        var cases = from contents in Gen.Byte.Array[1, R30xPacket.MaxContents]
                    from at in Gen.Int[0, contents.Length - 1]
                    from delta in Gen.Byte[1, 255]
                    select (contents, at, delta);
        cases.Sample(c =>
        {
            var (contents, at, delta) = c;
            var packet = new R30xPacket(R30xPacket.Data, contents).Encode(0xFFFFFFFF);
            packet[R30xPacket.PrefixLength + at] += delta;

            Assert.That(() => new R30xPacketReader(new MemoryStream(packet), 0xFFFFFFFF).ReadAsync(CancellationToken.None).GetAwaiter().GetResult(), Throws.TypeOf<InvalidDataException>());
        }, iter: 300, threads: 1);
    }
}
