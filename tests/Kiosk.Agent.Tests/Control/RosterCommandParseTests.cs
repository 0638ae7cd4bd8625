using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Tests.Control;

/// <summary>cmd/roster's validation: every refusal names the entry and field, never an exception, never the value.</summary>
public sealed class RosterCommandParseTests
{
    private static readonly string HashA = RosterEntry.HashIdNumber("11010119900307457x");
    private static readonly string HashB = RosterEntry.HashIdNumber("110101199003074578");

    private static JsonObject Person(string id, string hash) => new()
    {
        ["personId"] = id,
        ["idNumberHash"] = hash,
        ["maskedName"] = "张*",
        ["supervisionLevel"] = "normal",
        ["face"] = Convert.ToBase64String([1, 2, 3]),
    };

    private static JsonObject Full() => new()
    {
        ["commandId"] = "c-1",
        ["mode"] = "full",
        ["version"] = 3,
        ["people"] = new JsonArray(Person("P1", HashA), Person("P2", HashB)),
    };

    private static JsonObject Delta() => new()
    {
        ["mode"] = "delta",
        ["version"] = 4,
        ["baseVersion"] = 3,
        ["people"] = new JsonArray(Person("P3", HashA)),
        ["remove"] = new JsonArray("P1"),
    };

    private static (bool Ok, RosterUpdate? Update, string Error) Parse(JsonNode body) => Parse(Encoding.UTF8.GetBytes(body.ToJsonString()));

    private static (bool Ok, RosterUpdate? Update, string Error) Parse(byte[] utf8)
    {
        var ok = RosterCommand.TryParse(utf8, out var update, out var error);
        return (ok, update, error);
    }

    [Test]
    public void A_full_roster_and_a_delta_parse()
    {
        var full = Parse(Full());
        Assert.That(full.Ok, Is.True, full.Error);
        Assert.That(full.Update!.Mode, Is.EqualTo(RosterMode.Full));
        Assert.That(full.Update.Version, Is.EqualTo(3));
        Assert.That(full.Update.People.Select(p => p.PersonId), Is.EqualTo(new[] { "P1", "P2" }));
        Assert.That(full.Update.People[0].EnrolledPhoto.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(full.Update.People[0].IdNumberHash, Is.EqualTo(HashA));

        var delta = Parse(Delta());
        Assert.That(delta.Ok, Is.True, delta.Error);
        Assert.That(delta.Update!.BaseVersion, Is.EqualTo(3));
        Assert.That(delta.Update.Remove, Is.EqualTo(new[] { "P1" }));
    }

    [Test]
    public void The_hash_is_of_the_upper_cased_id_number() =>
        Assert.That(RosterEntry.HashIdNumber("11010119900307457x"), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("11010119900307457X")))));

    private static readonly (string What, Func<JsonObject> Body, string Names)[] Refusals =
    [
        ("unknown field", () => With(Full(), b => b["extra"] = 1), "'extra' is not a known field"),
        ("no mode", () => With(Full(), b => b.Remove("mode")), "mode:"),
        ("bad mode", () => With(Full(), b => b["mode"] = "partial"), "mode:"),
        ("version 0", () => With(Full(), b => b["version"] = 0), "version:"),
        ("version fraction", () => With(Full(), b => b["version"] = 1.5), "version:"),
        ("version string", () => With(Full(), b => b["version"] = "3"), "version:"),
        ("full with baseVersion", () => With(Full(), b => b["baseVersion"] = 1), "baseVersion:"),
        ("full with remove", () => With(Full(), b => b["remove"] = new JsonArray()), "remove:"),
        ("full without people", () => With(Full(), b => b.Remove("people")), "people:"),
        ("people not an array", () => With(Full(), b => b["people"] = new JsonObject()), "people:"),
        ("delta without baseVersion", () => With(Delta(), b => b.Remove("baseVersion")), "baseVersion:"),
        ("delta baseVersion not below", () => With(Delta(), b => b["baseVersion"] = 4), "baseVersion: must be below version"),
        ("remove not an array", () => With(Delta(), b => b["remove"] = "P1"), "remove:"),
        ("remove bad id", () => With(Delta(), b => b["remove"] = new JsonArray("P 1")), "remove[0]:"),
        ("remove twice", () => With(Delta(), b => b["remove"] = new JsonArray("P1", "P1")), "remove[1]:"),
        ("add and remove", () => With(Delta(), b => b["remove"] = new JsonArray("P3")), "people[0].personId"),
        ("person unknown field", () => With(Full(), b => b["people"]![1]!["name"] = "张三"), "people[1]: 'name' is not a known field"),
        ("person not an object", () => With(Full(), b => b["people"]![1] = "P2"), "people[1]: must be an object"),
        ("no personId", () => With(Full(), b => b["people"]![1]!.AsObject().Remove("personId")), "people[1].personId"),
        ("bad personId", () => With(Full(), b => b["people"]![1]!["personId"] = new string('x', 65)), "people[1].personId"),
        ("hash upper case", () => With(Full(), b => b["people"]![1]!["idNumberHash"] = HashB.ToUpperInvariant()), "people[1].idNumberHash"),
        ("hash short", () => With(Full(), b => b["people"]![1]!["idNumberHash"] = HashB[..63]), "people[1].idNumberHash"),
        ("clear id number", () => With(Full(), b => b["people"]![1]!["idNumberHash"] = "110101199003074578"), "people[1].idNumberHash"),
        ("name not masked", () => With(Full(), b => b["people"]![1]!["maskedName"] = "张三"), "people[1].maskedName"),
        ("name too long", () => With(Full(), b => b["people"]![1]!["maskedName"] = "张" + new string('*', 40)), "people[1].maskedName"),
        ("name with control", () => With(Full(), b => b["people"]![1]!["maskedName"] = "张*\n"), "people[1].maskedName"),
        ("no level", () => With(Full(), b => b["people"]![1]!.AsObject().Remove("supervisionLevel")), "people[1].supervisionLevel"),
        ("bad level", () => With(Full(), b => b["people"]![1]!["supervisionLevel"] = "Strict"), "people[1].supervisionLevel"),
        ("face not base64", () => With(Full(), b => b["people"]![1]!["face"] = "not base64!"), "people[1].face"),
        ("face empty", () => With(Full(), b => b["people"]![1]!["face"] = ""), "people[1].face"),
        ("face a number", () => With(Full(), b => b["people"]![1]!["face"] = 5), "people[1].face"),
        ("face too large", () => With(Full(), b => b["people"]![1]!["face"] = Convert.ToBase64String(new byte[RosterCommand.MaxFaceBytes + 1])), "people[1].face"),
        ("fingerprint too large", () => With(Full(), b => b["people"]![1]!["fingerprint"] = Convert.ToBase64String(new byte[RosterCommand.MaxFingerprintBytes + 1])), "people[1].fingerprint"),
        ("same personId twice", () => With(Full(), b => b["people"]![1]!["personId"] = "P1"), "people[1].personId"),
        ("same id number twice", () => With(Full(), b => b["people"]![1]!["idNumberHash"] = HashA), "people[1].idNumberHash"),
    ];

    private static IEnumerable<TestCaseData> RefusalCases() => Refusals.Select(r => new TestCaseData(r.Body, r.Names).SetArgDisplayNames(r.What));

    [TestCaseSource(nameof(RefusalCases))]
    public void A_bad_roster_is_refused_naming_the_entry_and_field(Func<JsonObject> body, string names)
    {
        var (ok, update, error) = Parse(body());

        Assert.That(ok, Is.False);
        Assert.That(update, Is.Null);
        Assert.That(error, Does.Contain(names));
        Assert.That(error, Does.Not.Contain("张三").And.Not.Contain("110101199003074578").And.Not.Contain(HashB));
    }

    [TestCase("")]
    [TestCase("{")]
    [TestCase("[]")]
    [TestCase("null")]
    [TestCase("{} {}")]
    [TestCase("\"roster\"")]
    public void Anything_that_is_not_a_roster_object_is_refused_without_an_exception(string text)
    {
        var (ok, _, error) = Parse(Encoding.UTF8.GetBytes(text));
        Assert.That(ok, Is.False);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void Deep_nesting_is_refused_without_an_exception()
    {
        var (ok, _, _) = Parse(Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)));
        Assert.That(ok, Is.False);
    }

    [Test]
    public void The_stored_document_reads_back_as_the_same_full_roster()
    {
        var people = Parse(Full()).Update!.People;
        var (ok, update, error) = Parse(RosterCommand.ToDocument(9, people));
        Assert.That(ok, Is.True, error);
        Assert.That(update!.Version, Is.EqualTo(9));
        Assert.That(update.People, Has.Count.EqualTo(2));
        Assert.That(update.People.Select(p => (p.PersonId, p.IdNumberHash, p.MaskedName, p.SupervisionLevel)), Is.EqualTo(people.Select(p => (p.PersonId, p.IdNumberHash, p.MaskedName, p.SupervisionLevel))));
        Assert.That(update.People[1].EnrolledPhoto.ToArray(), Is.EqualTo(people[1].EnrolledPhoto.ToArray()));
    }

    internal static JsonObject With(JsonObject body, Action<JsonObject> change)
    {
        change(body);
        return body;
    }
}
