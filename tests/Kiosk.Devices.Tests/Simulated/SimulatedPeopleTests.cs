using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedPeopleTests
{
    private static readonly string[] SexCodes = ["1", "2"];

    [Test]
    public void Every_generated_card_is_valid_and_numbers_are_unique()
    {
        var people = SimulatedPeople.Generate(Simulation.Seed, 200);
        Assert.That(people, Has.Count.EqualTo(200));
        foreach (var person in people)
        {
            IdCardChecks.AssertValid(person.Card);
            Assert.That(person.FaceSourceId, Is.EqualTo("astronaut"));
            Assert.That(person.Card.Name, Has.Length.InRange(2, 4));
            Assert.That(person.Card.Name.All(c => c >= '\u4E00' && c <= '\u9FFF'), Is.True, "CJK unified ideographs");
        }

        Assert.That(people.Select(p => p.Card.IdNumber), Is.Unique);
        Assert.That(people.Select(p => p.Card.SexCode).Distinct(), Is.EquivalentTo(SexCodes));
    }

    [Test]
    public void The_same_seed_gives_the_same_people_and_another_seed_others()
    {
        var a = SimulatedPeople.Generate(5, 10);
        var b = SimulatedPeople.Generate(5, 10);
        var c = SimulatedPeople.Generate(6, 10);
        Assert.That(a.Select(Describe), Is.EqualTo(b.Select(Describe)));
        Assert.That(a.Select(Describe), Is.Not.EqualTo(c.Select(Describe)));
    }

    private static string Describe(SimulatedPerson p) =>
        $"{p.Card.Name}|{p.Card.IdNumber}|{p.Card.Address}|{p.Card.ValidFrom}|{p.Card.ValidUntil}|{Convert.ToHexString(p.Card.Photo.Span)}";
}
