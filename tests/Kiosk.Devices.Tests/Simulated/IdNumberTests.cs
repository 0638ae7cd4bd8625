using Kiosk.Devices.Simulated;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class IdNumberTests
{
    // The worked example of GB 11643-1999 annex A and a commonly published sample number.
    [TestCase("11010519491231002", 'X')]
    [TestCase("44052418800101001", '4')]
    public void The_check_character_follows_iso_7064_mod_11_2(string first17, char expected) =>
        Assert.That(IdNumber.ComputeCheckDigit(first17), Is.EqualTo(expected));

    [TestCase("11010519491231002X", true)]
    [TestCase("11010519491231002x", true)]
    [TestCase("440524188001010014", true)]
    [TestCase("110105194912310021", false)]
    [TestCase("110105194913310028", false)]
    [TestCase("11010519491231002", false)]
    [TestCase("1101051949123100AX", false)]
    [TestCase(null, false)]
    public void Is_valid_checks_length_digits_date_and_check_character(string? number, bool valid) =>
        Assert.That(IdNumber.IsValid(number), Is.EqualTo(valid));

    [Test]
    public void A_first_part_that_is_not_17_digits_is_rejected() =>
        Assert.That(() => IdNumber.ComputeCheckDigit("1234"), Throws.ArgumentException);
}
