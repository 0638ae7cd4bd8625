using Kiosk.Devices.Simulated;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>What the text of any resident ID card must satisfy (GB 11643-1999 numbers, GA/T 467 UCS-2 fixed-width fields).</summary>
internal static class IdCardChecks
{
    private static readonly int[] ValidityYears = [5, 10, 20];

    public static void AssertValid(IdCardData card)
    {
        Assert.That(IdNumber.IsValid(card.IdNumber), Is.True, "GB 11643-1999 check character and birth date");
        Assert.That(IdNumber.TryReadBirthDate(card.IdNumber, out var birth) && birth == card.BirthDate, Is.True, "birth date matches the number");
        var sexDigit = card.IdNumber[16] - '0';
        Assert.That(card.SexCode, Is.EqualTo(sexDigit % 2 == 1 ? "1" : "2"), "sex code matches the parity of the sequence");
        Assert.That(card.EthnicityCode, Does.Match("^[0-9]{2}$"));

        // GA/T 467 field widths in UCS-2 characters: name 15, address 35, authority 15.
        AssertUcs2(card.Name, 15);
        AssertUcs2(card.Address, 35);
        AssertUcs2(card.IssuingAuthority, 15);

        Assert.That(card.ValidFrom, Is.GreaterThan(card.BirthDate));
        if (card.ValidUntil is { } until)
        {
            Assert.That(until, Is.GreaterThan(card.ValidFrom));
            Assert.That(ValidityYears, Does.Contain(until.Year - card.ValidFrom.Year), "validity periods are 5, 10 or 20 years");
        }

        Assert.That(card.Photo.Length, Is.EqualTo(1024), "a WLT photo is 1024 bytes");
        Assert.That(card.ToString(), Does.Not.Contain(card.Name).And.Not.Contain(card.IdNumber), "redacted");
    }

    private static void AssertUcs2(string text, int maxCharacters)
    {
        Assert.That(text, Is.Not.Empty);
        Assert.That(text, Has.Length.LessThanOrEqualTo(maxCharacters));
        Assert.That(text.Any(char.IsSurrogate), Is.False, $"'{text}' must fit UCS-2 (no characters outside the BMP)");
        Assert.That(text, Is.EqualTo(text.Trim()), "fields are trimmed");
    }
}
