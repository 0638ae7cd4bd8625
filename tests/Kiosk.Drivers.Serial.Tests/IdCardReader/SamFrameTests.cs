using Kiosk.Devices;
using Kiosk.Devices.IdCardReader;

namespace Kiosk.Drivers.Serial.Tests.IdCardReader;

/// <summary>GA/T 467 frames, status words and card text, without a serial line.</summary>
public sealed class SamFrameTests
{
    [Test]
    public void Commands_encode_as_the_well_known_frames()
    {
        Assert.That(Convert.ToHexString(SamFrame.EncodeCommand(SamFrame.FindCard)), Is.EqualTo("AAAAAA96690003200122"));
        Assert.That(Convert.ToHexString(SamFrame.EncodeCommand(SamFrame.ReadSamId)), Is.EqualTo("AAAAAA9669000312FFEE"));
    }

    [Test]
    public void A_read_response_is_1295_bytes() =>
        Assert.That(SamStandIn.ReadResponse(TestPeople.Card), Has.Length.EqualTo(1295));

    [Test]
    public async Task The_reader_resyncs_after_noise_and_rejects_a_bad_checksum()
    {
        var frame = SamFrame.EncodeResponse(0, 0, 0x9F, new byte[4]);
        var reader = new SamFrameReader(new MemoryStream([0xAA, 0x00, 0xAA, 0xAA, 0xAA, 0xAA, .. frame[3..], .. frame]));
        // The first candidate "AA AA AA AA 96 69 ..." is a full preamble found after an extra AA.
        var response = await reader.ReadAsync(CancellationToken.None);
        Assert.That(response.Sw3, Is.EqualTo(0x9F));

        frame[^1] ^= 0xFF;
        Assert.ThrowsAsync<InvalidDataException>(() => new SamFrameReader(new MemoryStream(frame)).ReadAsync(CancellationToken.None));
    }

    [Test]
    public void Every_documented_status_has_its_own_code()
    {
        Assert.That(SamStatus.Map(0x90).Code, Is.EqualTo(CompletionCode.Success));
        Assert.That(SamStatus.Map(0x9F).Code, Is.EqualTo(CompletionCode.Success));
        Assert.That(SamStatus.Map(0x80).Code, Is.EqualTo(CompletionCode.NoMedia));
        Assert.That(SamStatus.Map(0x31).Code, Is.EqualTo(CompletionCode.FraudAttempt));
        Assert.That(SamStatus.Map(0x60).Code, Is.EqualTo(CompletionCode.HardwareError));
        Assert.That(SamStatus.Map(0x77).Meaning, Does.Contain("undocumented"));
        Assert.That(SamStatus.Documented.Count(), Is.GreaterThanOrEqualTo(18));
    }

    [Test]
    public void Card_text_round_trips_and_a_wrong_check_digit_is_refused()
    {
        var (card, error) = IdCardText.Parse(IdCardText.Format(TestPeople.Card), TestPeople.Photo);
        Assert.That(error, Is.Null);
        Assert.That(card!.IdNumber, Is.EqualTo(TestPeople.Card.IdNumber));
        var (wrong, why) = IdCardText.Parse(IdCardText.Format(TestPeople.WithWrongCheckDigit(TestPeople.Card)), TestPeople.Photo);
        Assert.That((wrong, why), Is.EqualTo(((IdCardData?)null, "the ID number fails its GB 11643-1999 check character")));
    }
}
