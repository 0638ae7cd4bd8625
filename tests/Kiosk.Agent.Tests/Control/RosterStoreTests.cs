using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Control;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.Agent.Session;
using Kiosk.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Agent.Tests.Control;

/// <summary>The roster and policy as the kiosk keeps them: sealed in control.db, versioned, swapped as a whole.</summary>
public sealed class RosterStoreTests
{
    private const string MaskedName = "欧阳*明";
    private TempFolder _folder = null!;
    private byte[] _key = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = new TempFolder("roster-store");
        _key = OutboxKey.LoadOrCreate(_folder.File("outbox.key"));
    }

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private ControlStore OpenControl() => ControlStore.Open(_folder.File("control.db"), _key, TimeProvider.System);

    private static RosterUpdate Update(JsonObject body)
    {
        Assert.That(RosterCommand.TryParse(Encoding.UTF8.GetBytes(body.ToJsonString()), out var update, out var error), Is.True, error);
        return update!;
    }

    private static JsonObject Person(string personId, string idNumber, string maskedName = "张*") => new()
    {
        ["personId"] = personId,
        ["idNumberHash"] = RosterEntry.HashIdNumber(idNumber),
        ["maskedName"] = maskedName,
        ["supervisionLevel"] = "normal",
    };

    private static RosterUpdate Full(long version, params JsonObject[] people) =>
        Update(new JsonObject { ["mode"] = "full", ["version"] = version, ["people"] = new JsonArray([.. people]) });

    private static RosterUpdate Delta(long version, long baseVersion, JsonObject[] people, string[] remove) =>
        Update(new JsonObject { ["mode"] = "delta", ["version"] = version, ["baseVersion"] = baseVersion, ["people"] = new JsonArray([.. people]), ["remove"] = new JsonArray([.. remove.Select(r => JsonValue.Create(r))]) });

    [Test]
    public async Task The_roster_survives_a_restart_and_is_sealed_on_disk()
    {
        using (var control = OpenControl())
        using (var store = new RosterStore(control, NullLogger<RosterStore>.Instance))
        {
            Assert.That(store.Current, Is.Null);
            var (applied, message) = await store.ApplyAsync(Full(5, Person("P1", "110101199003074578", MaskedName), Person("P2", "11010119900307457X")), CancellationToken.None);
            Assert.That(applied, Is.Not.Null, message);
        }

        using (var control = OpenControl())
        using (var store = new RosterStore(control, NullLogger<RosterStore>.Instance))
        {
            var roster = new PlatformRoster(store);
            Assert.Multiple(() =>
            {
                Assert.That(roster.IsLoaded, Is.True);
                Assert.That(roster.Version, Is.EqualTo(5));
                Assert.That(roster.Find("110101199003074578")!.PersonId, Is.EqualTo("P1"));
                Assert.That(roster.Find("110101199003074578")!.MaskedName, Is.EqualTo(MaskedName));
                Assert.That(roster.Find("11010119900307457x")!.PersonId, Is.EqualTo("P2"), "the ID number is upper-cased before hashing");
                Assert.That(roster.Find("110101199003074579"), Is.Null, "an unknown card");
            });
        }

        var onDisk = string.Concat(Directory.GetFiles(_folder.Path, "control.db*").Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.That(onDisk, Does.Contain("roster"), "the document is there");
        foreach (var clear in new[] { Encoding.UTF8.GetBytes(MaskedName), Encoding.UTF8.GetBytes("\\u6B27\\u9633"), Encoding.UTF8.GetBytes(RosterEntry.HashIdNumber("110101199003074578")) })
        {
            Assert.That(onDisk, Does.Not.Contain(Encoding.Latin1.GetString(clear)), "sealed: neither the masked name nor the hash is readable in control.db");
        }
    }

    [Test]
    public async Task An_altered_roster_is_dropped_at_start_and_the_kiosk_has_none()
    {
        using (var control = OpenControl())
        using (var store = new RosterStore(control, NullLogger<RosterStore>.Instance))
        {
            await store.ApplyAsync(Full(1, Person("P1", "110101199003074578")), CancellationToken.None);
        }

        _key = new byte[32];
        using var other = OpenControl();
        using var reopened = new RosterStore(other, NullLogger<RosterStore>.Instance);
        Assert.That(reopened.Current, Is.Null);
    }

    [Test]
    public async Task Versions_must_grow_and_a_delta_must_apply_to_the_current_version()
    {
        using var control = OpenControl();
        using var store = new RosterStore(control, NullLogger<RosterStore>.Instance);

        var (none, noneMessage) = await store.ApplyAsync(Delta(2, 1, [], []), CancellationToken.None);
        Assert.That(none, Is.Null);
        Assert.That(noneMessage, Does.Contain("send a full roster"));

        await store.ApplyAsync(Full(3, Person("P1", "110101199003074578"), Person("P2", "11010119900307457X")), CancellationToken.None);
        var (same, sameMessage) = await store.ApplyAsync(Full(3, Person("P1", "110101199003074578")), CancellationToken.None);
        Assert.That(same, Is.Null);
        Assert.That(sameMessage, Does.Contain("not above"));
        var (older, _) = await store.ApplyAsync(Full(2, Person("P1", "110101199003074578")), CancellationToken.None);
        Assert.That(older, Is.Null);

        var (stale, staleMessage) = await store.ApplyAsync(Delta(5, 2, [], ["P1"]), CancellationToken.None);
        Assert.That(stale, Is.Null);
        Assert.That(staleMessage, Does.Contain("send a full roster"));

        var (unknown, unknownMessage) = await store.ApplyAsync(Delta(4, 3, [], ["P9"]), CancellationToken.None);
        Assert.That(unknown, Is.Null);
        Assert.That(unknownMessage, Does.StartWith("remove[0]:"));

        var (clash, clashMessage) = await store.ApplyAsync(Delta(4, 3, [Person("P3", "110101199003074578")], []), CancellationToken.None);
        Assert.That(clash, Is.Null, "P3 has P1's ID number, and P1 stays");
        Assert.That(clashMessage, Does.StartWith("people[0].idNumberHash:"));

        var (delta, deltaMessage) = await store.ApplyAsync(Delta(4, 3, [Person("P3", "110101199003074579"), Person("P2", "11010119900307457X", "李*")], ["P1"]), CancellationToken.None);
        Assert.That(delta, Is.Not.Null, deltaMessage);
        Assert.That(delta!.People.Select(p => p.PersonId), Is.EquivalentTo(new[] { "P2", "P3" }));
        Assert.That(delta.Find("11010119900307457X")!.MaskedName, Is.EqualTo("李*"), "a delta replaces a person by personId");
        Assert.That(store.Current!.Version, Is.EqualTo(4));
    }

    [Test]
    public async Task A_snapshot_keeps_its_version_while_a_new_roster_takes_over()
    {
        using var control = OpenControl();
        using var store = new RosterStore(control, NullLogger<RosterStore>.Instance);
        var roster = new PlatformRoster(store);
        await store.ApplyAsync(Full(1, Person("P1", "110101199003074578"), Person("P2", "11010119900307457X")), CancellationToken.None);

        var pinned = roster.Snapshot();
        var swaps = Task.Run(async () =>
        {
            for (var v = 2; v <= 41; v++)
            {
                var people = v % 2 == 0 ? new[] { Person("P2", "11010119900307457X") } : [Person("P1", "110101199003074578"), Person("P2", "11010119900307457X")];
                await store.ApplyAsync(Full(v, people), CancellationToken.None);
            }
        });
        var seen = new List<(long? Version, bool HasP1)>();
        while (!swaps.IsCompleted)
        {
            var now = roster.Snapshot();
            seen.Add((now.Version, now.Find("110101199003074578") is not null));
            await Task.Yield();
        }

        await swaps;
        Assert.Multiple(() =>
        {
            Assert.That(pinned.Version, Is.EqualTo(1));
            Assert.That(pinned.Find("110101199003074578"), Is.Not.Null, "the pinned roster still has P1");
            Assert.That(roster.Version, Is.EqualTo(41));
            Assert.That(seen.All(s => s.HasP1 == (s.Version % 2 == 1)), Is.True, "every lookup saw one whole version, never a mix");
        });
    }

    [Test]
    public async Task The_policy_survives_a_restart_and_only_a_higher_version_replaces_it()
    {
        static SessionPolicy Parse(long version)
        {
            Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(PolicyCommandParseTests.Policy(version).ToJsonString()), out var policy, out var error), Is.True, error);
            return policy!;
        }

        using (var control = OpenControl())
        using (var store = new PolicyStore(control, NullLogger<PolicyStore>.Instance))
        {
            Assert.That((await store.ApplyAsync(Parse(2), PolicyCommandParseTests.Policy(2).ToJsonString(), CancellationToken.None)).Applied, Is.Not.Null);
            var (refused, message) = await store.ApplyAsync(Parse(2), PolicyCommandParseTests.Policy(2).ToJsonString(), CancellationToken.None);
            Assert.That(refused, Is.Null);
            Assert.That(message, Does.Contain("not above"));
        }

        using (var control = OpenControl())
        using (var store = new PolicyStore(control, NullLogger<PolicyStore>.Instance))
        {
            Assert.That(store.Current!.Version, Is.EqualTo(2));
            Assert.That(store.Current.Levels["strict"].DocumentTypes, Is.EqualTo(new[] { "workCertificate" }));
        }

        var onDisk = string.Concat(Directory.GetFiles(_folder.Path, "control.db*").Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.That(onDisk, Does.Not.Contain("workCertificate"), "sealed");
    }
}
