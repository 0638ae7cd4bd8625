using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Session;
using Kiosk.Agent.Tests.Control;
using Kiosk.Agent.Tests.Sync;
using Kiosk.Central.Signing;
using Kiosk.Devices.Simulated;
using Kiosk.Simulation;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace Kiosk.Agent.Tests.EndToEnd;

/// <summary>
/// The platform steers the kiosk through Mosquitto: the central simulator pushes a roster and a policy, a new roster
/// arrives while a session is under way, and nothing is lost.
/// </summary>
public sealed class RosterSwapTests
{
    private static readonly IReadOnlyList<SimulatedPerson> People = SimulatedPeople.Generate(1, 3);

    private static Dictionary<string, string?> Settings() => new()
    {
        // No generated roster: this kiosk knows only what the platform sends.
        ["Kiosk:Roster:SimulatedPeople"] = "0",
        ["Kiosk:Sync:MaxIncomingPacketBytes"] = (16 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static JsonObject Person(int index) =>
        SimulatedRoster.PlatformPerson(People[index], $"P{index + 1}", "normal", File.ReadAllBytes(RepositoryPaths.TestDataFile(People[index].FaceSourceId + ".png")));

    private static void Present(TestAgent agent, SimulatedPerson? person)
    {
        var devices = agent.Services.GetRequiredService<DeviceSet>();
        ((SimulatedIdCardReader)devices.IdCardReader).PresentCard(person?.Card);
        ((SimulatedFaceCamera)devices.FaceCamera).PresentFace(person?.FaceSourceId);
    }

    [Test]
    public async Task A_roster_swap_mid_session_loses_nothing_and_the_next_session_uses_the_new_roster()
    {
        await using var testbed = await Testbed.StartAsync("roster-swap");
        using var observer = await BrokerObserver.StartAsync(testbed.Port, "kiosk/v1/+/+/cmd/#");
        using var bound = new CancellationTokenSource(Eventually.DefaultBound);
        var central = testbed.Central;
        string recordId;
        await using (var agent = testbed.Agent("kiosk", Settings()))
        {
            await agent.StartAsync();
            Assert.That(agent.Services.GetRequiredService<IRoster>().IsLoaded, Is.False, "no roster until the platform sends one");

            var v1 = await central.PushAsync("site-t", "kiosk-t", "roster", new JsonObject { ["mode"] = "full", ["version"] = 1, ["people"] = new JsonArray(Person(0), Person(1)) }, bound.Token);
            Assert.That(v1.Status, Is.EqualTo("done"), v1.Message);
            Assert.That(v1.Detail!["version"]!.GetValue<long>(), Is.EqualTo(1));
            var policy = await central.PushAsync("site-t", "kiosk-t", "policy", PolicyWithoutCommandId(), bound.Token);
            Assert.That(policy.Status, Is.EqualTo("done"), policy.Message);

            // Person 1 starts on roster v1...
            Present(agent, People[0]);
            Assert.That((await agent.Session.StartAsync(bound.Token)).Result, Is.EqualTo(StepResult.Completed));
            Assert.That((await agent.Session.ReadIdCardAsync(bound.Token)).Result, Is.EqualTo(StepResult.Completed));
            Assert.That((await agent.Session.ConsentAsync(Kiosk.Agent.Consent.ConsentChoice.Agree, bound.Token)).Result, Is.EqualTo(StepResult.Completed));

            // ...v2 takes them off the roster while they are at the kiosk...
            var v2 = await central.PushAsync("site-t", "kiosk-t", "roster", new JsonObject { ["mode"] = "delta", ["version"] = 2, ["baseVersion"] = 1, ["remove"] = new JsonArray("P1") }, bound.Token);
            Assert.That(v2.Status, Is.EqualTo("done"), v2.Message);
            Assert.That(v2.Detail!["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(agent.Services.GetRequiredService<IRoster>().Version, Is.EqualTo(2));

            // ...and they finish on v1: committed and acknowledged.
            Assert.That(agent.Session.RequiredSteps, Is.EqualTo(new[] { CheckInStep.IdCard, CheckInStep.Face, CheckInStep.ReportAnswers }), "the policy's steps");
            Assert.That((await agent.Session.VerifyFaceAsync(bound.Token)).Result, Is.EqualTo(StepResult.Completed));
            Assert.That((await agent.Session.SubmitReportAsync(new Dictionary<string, string> { ["residenceChanged"] = "no" }, bound.Token)).Result, Is.EqualTo(StepResult.Completed));
            var (committed, receipt) = await agent.Session.CommitAsync(bound.Token);
            Assert.That(committed.Result, Is.EqualTo(StepResult.Completed), committed.Message);
            Assert.That(receipt!.RosterVersion, Is.EqualTo(1));
            recordId = receipt.RecordId;
            await agent.WaitAcknowledgedAsync([recordId]);
            agent.Session.Reset();

            // The next session uses v2: person 1 is refused as any unknown card, person 2 is still there.
            Present(agent, People[0]);
            await agent.Session.StartAsync(bound.Token);
            Assert.That((await agent.Session.ReadIdCardAsync(bound.Token)).Result, Is.EqualTo(StepResult.Rejected));
            agent.Session.Reset();
            Present(agent, People[1]);
            await agent.Session.StartAsync(bound.Token);
            Assert.That((await agent.Session.ReadIdCardAsync(bound.Token)).Result, Is.EqualTo(StepResult.Completed));
            Assert.That(agent.Session.RosterVersion, Is.EqualTo(2));
            agent.Session.Reset();

            // A stale delta and a replayed version are refused, and change nothing.
            var stale = await central.PushAsync("site-t", "kiosk-t", "roster", new JsonObject { ["mode"] = "delta", ["version"] = 3, ["baseVersion"] = 1, ["people"] = new JsonArray(Person(2)) }, bound.Token);
            Assert.That(stale.Status, Is.EqualTo("refused"));
            Assert.That(stale.Message, Does.Contain("send a full roster"));
            var old = await central.PushAsync("site-t", "kiosk-t", "roster", new JsonObject { ["mode"] = "full", ["version"] = 2, ["people"] = new JsonArray(Person(0)) }, bound.Token);
            Assert.That(old.Status, Is.EqualTo("refused"));
            var bad = await central.PushAsync("site-t", "kiosk-t", "roster", new JsonObject { ["mode"] = "full", ["version"] = 5, ["people"] = new JsonArray(Person(0), RosterCommandParseTests.With(Person(2), p => p["idNumberHash"] = "x")) }, bound.Token);
            Assert.That(bad.Status, Is.EqualTo("refused"));
            Assert.That(bad.Message, Does.StartWith("people[1].idNumberHash"));
            Assert.That(agent.Services.GetRequiredService<IRoster>().Version, Is.EqualTo(2));
            Present(agent, null);
        }

        // The platform has the check-in (0 lost), and a restarted kiosk still has roster v2 and the policy.
        var stored = await central.GetStoredRecordsAsync(CancellationToken.None);
        Assert.That(stored.Count(r => r.RecordId == recordId), Is.EqualTo(1));
        await using (var restarted = testbed.Agent("kiosk", Settings()))
        {
            await restarted.StartAsync();
            Assert.That(restarted.Services.GetRequiredService<IRoster>().Version, Is.EqualTo(2));
            Assert.That(restarted.Services.GetRequiredService<PolicyStore>().Current!.Version, Is.EqualTo(1));
            Assert.That((await restarted.Outbox.GetTotalsAsync(CancellationToken.None)).CheckIns, Is.Zero, "nothing left unacknowledged");
        }

        // Every roster and policy message the platform sent matches the contract's schemas.
        var sent = observer.Messages.ToList();
        Assert.That(sent.Select(m => m.Topic.Split('/')[^1]).Distinct(), Is.EquivalentTo(new[] { "roster", "policy" }));
        foreach (var (topic, envelope) in sent)
        {
            var body = Encoding.UTF8.GetString(PlatformSigner.PayloadOf(Encoding.UTF8.GetBytes(envelope)));
            var schema = "cmd-" + topic.Split('/')[^1] + ".schema.json";
            var errors = ContractSchema.Errors(schema, body);
            if (body.Contains("\"idNumberHash\":\"x\"", StringComparison.Ordinal))
            {
                Assert.That(errors, Is.Not.Empty, "the schema refuses the bad roster the kiosk refused");
            }
            else
            {
                Assert.That(errors, Is.Empty, $"{topic}: {body[..Math.Min(body.Length, 300)]}");
            }
        }
    }

    private static JsonObject PolicyWithoutCommandId()
    {
        var policy = PolicyCommandParseTests.Policy(1);
        policy.Remove("commandId");
        policy["levels"]!["normal"] = PolicyCommandParseTests.Level(["idCard", "face", "reportAnswers"], []);
        return policy;
    }
}
