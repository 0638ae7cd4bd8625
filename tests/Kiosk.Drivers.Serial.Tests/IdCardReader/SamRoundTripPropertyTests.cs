using CsCheck;
using Kiosk.Devices;
using Kiosk.Devices.IdCardReader;

namespace Kiosk.Drivers.Serial.Tests.IdCardReader;

/// <summary>
/// Encode/decode round trips of GA/T 467, over generated values (CsCheck): every card the SAM can hold comes back
/// field for field, every frame comes back through the reader whatever line noise comes first, and one flipped bit
/// in a frame is always caught by the XOR checksum.
/// </summary>
public sealed class SamRoundTripPropertyTests
{
    private const long Iterations = 300;

    private static readonly Gen<string> Han = Gen.Char['\u4e00', '\u9fa5'].Array[1, 15].Select(c => new string(c));

    private static readonly Gen<DateOnly> Dates = Gen.Int[0, 40000].Select(d => new DateOnly(1950, 1, 1).AddDays(d));

    /// <summary>17 digits and the check character GB 11643-1999 gives them, 'x' sometimes in lower case.</summary>
    private static readonly Gen<string> IdNumbers = Gen.Char['0', '9'].Array[17].Select(Gen.Bool, (digits, lower) =>
        "0123456789X".Select(c => new string(digits) + c).Single(IdNumberCheck.HasValidCheckCharacter) is var number && lower ? number.ToLowerInvariant() : number);

    private static readonly Gen<IdCardData> Cards =
        from name in Han
        from sex in Gen.OneOf("1", "2")
        from ethnicity in Gen.Int[1, 58].Select(e => e.ToString("00", System.Globalization.CultureInfo.InvariantCulture))
        from birth in Dates
        from address in Gen.Char['\u4e00', '\u9fa5'].Array[0, 35].Select(c => new string(c))
        from number in IdNumbers
        from authority in Han
        from validFrom in Dates
        from until in Gen.Bool.Select(Dates, (longTerm, date) => longTerm ? (DateOnly?)null : date)
        select new IdCardData
        {
            Name = name, SexCode = sex, EthnicityCode = ethnicity, BirthDate = birth, Address = address, IdNumber = number,
            IssuingAuthority = authority, ValidFrom = validFrom, ValidUntil = until,
        };

    [Test]
    public void Every_card_survives_format_and_parse_field_for_field()
    {
        Cards.Sample(card =>
        {
            var (parsed, error) = IdCardText.Parse(IdCardText.Format(card), ReadOnlyMemory<byte>.Empty);

            Assert.That(error, Is.Null);
            Assert.That(parsed, Is.EqualTo(card with { IdNumber = card.IdNumber.ToUpperInvariant(), Photo = parsed!.Photo }));
        }, iter: Iterations, threads: 1);
    }

    [Test]
    public void Every_response_frame_comes_back_through_the_reader_after_any_noise_without_a_preamble()
    {
        var frames = Gen.Select(Gen.Byte, Gen.Byte, Gen.Byte, Gen.Byte.Array[0, SamFrame.MaxLength - 4], Gen.Byte.Where(b => b != 0xAA).Array[0, 16]);
        frames.Sample(f =>
        {
            var (sw1, sw2, sw3, data, noise) = f;
            var reader = new SamFrameReader(new MemoryStream([.. noise, .. SamFrame.EncodeResponse(sw1, sw2, sw3, data)]));

            var response = reader.ReadAsync(CancellationToken.None).GetAwaiter().GetResult();

            Assert.That((response.Sw1, response.Sw2, response.Sw3, response.Data), Is.EqualTo((sw1, sw2, sw3, data)));
        }, iter: Iterations, threads: 1);
    }

    [Test]
    public void One_flipped_bit_after_the_length_is_always_a_bad_frame()
    {
        var cases = from data in Gen.Byte.Array[0, 600]
                    let frame = SamFrame.EncodeResponse(0x00, 0x00, SamStatus.Success, data)
                    from at in Gen.Int[SamFrame.HeaderLength, frame.Length - 1]
                    from bit in Gen.Int[0, 7]
                    select (frame, at, bit);
        cases.Sample(c =>
        {
            var (frame, at, bit) = c;
            var corrupted = frame.ToArray();
            corrupted[at] ^= (byte)(1 << bit);

            Assert.That(() => SamFrame.DecodeResponse(corrupted.AsSpan(SamFrame.Preamble.Length)), Throws.TypeOf<InvalidDataException>());
        }, iter: Iterations, threads: 1);
    }
}
