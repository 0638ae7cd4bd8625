using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.LocalApi;
using Kiosk.Agent.Tests.Sync;
using Kiosk.Central;
using Kiosk.Devices.Simulated;
using Kiosk.TestSupport;

namespace Kiosk.Agent.Tests.LocalApi;

/// <summary>The check-in session driven the way the kiosk screen drives it: over the loopback local API.</summary>
public sealed class SessionApiTests
{
    private Testbed _testbed = null!;
    private MosquittoBroker _broker = null!;
    private TempFolder _folder = null!;
    private CentralPlatform _central = null!;
    private HttpClient _http = null!;
    private TestAgent _agent = null!;

    [SetUp]
    public async Task SetUp()
    {
        _testbed = await Testbed.StartAsync("session-api");
        (_broker, _folder, _central) = (_testbed.Broker, _testbed.Folder, _testbed.Central);
        _http = LocalApiHttp.Client(_folder.File("agent"));
        _agent = new TestAgent(_broker.Port, _folder.File("agent"), new Dictionary<string, string?> { ["Kiosk:Roster:SimulatedPeople"] = "2" });
        await _agent.StartAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _agent.DisposeAsync();
        _http.Dispose();
        await _testbed.DisposeAsync();
    }

    private Uri Api(string path) => new(LocalApiUrlFile.Read(_folder.File("agent"))!, path);

    private async Task<(HttpStatusCode Status, JsonNode Body)> PostAsync(string path, object? body = null)
    {
        using var response = body is null ? await _http.PostAsync(Api(path), null) : await _http.PostAsJsonAsync(Api(path), body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!);
    }

    [Test]
    public async Task A_whole_check_in_through_the_screen_API_reaches_the_platform_without_personal_data_in_the_answers()
    {
        var person = SimulatedPeople.Generate(1, 2)[0];
        Assert.That((await PostAsync("/api/simulation/visitor", new { person = 1 })).Status, Is.EqualTo(HttpStatusCode.OK));

        var answers = new List<string>();
        var (_, answer) = await PostAsync("/api/session/start");
        answers.Add(answer.ToJsonString());
        var views = new List<string>();
        while (answer["result"]!.GetValue<string>() == "completed")
        {
            if (answer["state"]!.GetValue<string>() == "consent")
            {
                // As the screen does: it shows the consent the view describes, and agrees to that text's version.
                var view = (await _http.GetFromJsonAsync<JsonNode>(Api("/api/session")))!;
                views.Add(view.ToJsonString());
                (_, answer) = await PostAsync("/api/session/consent", new { choice = "agree", version = view["consent"]!["version"]!.GetValue<int>() });
            }
            else if (answer["nextStep"]?.GetValue<string>() is { } step)
            {
                (_, answer) = step == "reportAnswers"
                    ? await PostAsync("/api/session/steps/reportAnswers", new { answers = new Dictionary<string, string> { ["residenceChanged"] = "否 / no" } })
                    : await PostAsync("/api/session/steps/" + step);
            }
            else
            {
                break;
            }

            answers.Add(answer.ToJsonString());
        }

        Assert.That(answer["state"]!.GetValue<string>(), Is.EqualTo("commit"), string.Join("\n", answers));
        var (_, committed) = await PostAsync("/api/session/commit");
        var recordId = committed["receipt"]!["recordId"]!.GetValue<string>();
        await _agent.WaitAcknowledgedAsync([recordId]);

        var stored = await _central.GetStoredRecordsAsync(CancellationToken.None);
        var (_, reset) = await PostAsync("/api/session/reset");
        Assert.Multiple(() =>
        {
            Assert.That(committed["result"]!.GetValue<string>(), Is.EqualTo("completed"));
            Assert.That(committed["receipt"]!["steps"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "idCard", "face", "reportAnswers", "signature" }));
            Assert.That(stored.Select(r => r.RecordId), Does.Contain(recordId));
            Assert.That(stored.Single(r => r.RecordId == recordId).Json, Does.Contain(person.Card.IdNumber), "the record itself carries the person");
            Assert.That(answers.Append(committed.ToJsonString()), Has.None.Contains(person.Card.IdNumber), "the screen's answers never carry the ID number");
            Assert.That(views, Has.Count.EqualTo(1), "asked for consent once, after the ID card");
            Assert.That(views, Has.None.Contains(person.Card.IdNumber).And.None.Contains(person.Card.Name), "the consent view names no one");
            Assert.That(JsonNode.Parse(stored.Single(r => r.RecordId == recordId).Json)!["body"]!["consent"]!["choice"]!.GetValue<string>(), Is.EqualTo("agree"), "the consent travels with the check-in");
            Assert.That(ContractSchema.Errors("records.schema.json", $"{{\"records\": [{stored.Single(r => r.RecordId == recordId).Json}]}}"), Is.Empty, "the check-in with its consent fits the contract");
            Assert.That(reset["state"]!.GetValue<string>(), Is.EqualTo("idle"));
        });
    }

    [Test]
    public async Task Requests_the_screen_should_never_send_get_a_4xx_and_the_session_keeps_its_place()
    {
        await PostAsync("/api/simulation/visitor", new { person = 1 });
        var (_, started) = await PostAsync("/api/session/start");
        var unknown = await PostAsync("/api/session/steps/teleport");
        var outOfOrder = await PostAsync("/api/session/commit");
        var noPerson = await PostAsync("/api/simulation/visitor", new { person = 99 });
        await PostAsync("/api/session/steps/idCard");
        var faceBeforeConsent = await PostAsync("/api/session/steps/face");
        var noChoice = await PostAsync("/api/session/consent", new { choice = "maybe" });
        var otherText = await PostAsync("/api/session/consent", new { choice = "agree", version = 999 });
        var noVersion = await PostAsync("/api/session/consent", new { choice = "agree" });
        var notOffered = await PostAsync("/api/session/consent", new { choice = "withdraw" });
        var stillAsking = await _http.GetFromJsonAsync<JsonNode>(Api("/api/session"));
        await PostAsync("/api/session/consent", new { choice = "agree", version = stillAsking!["consent"]!["version"]!.GetValue<int>() });
        await PostAsync("/api/session/steps/face");
        var noAnswers = await PostAsync("/api/session/steps/reportAnswers");
        var view = await _http.GetFromJsonAsync<JsonNode>(Api("/api/session"));

        Assert.Multiple(() =>
        {
            Assert.That(started["state"]!.GetValue<string>(), Is.EqualTo("identify"));
            Assert.That(unknown.Status, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(unknown.Body["message"]!.GetValue<string>(), Does.Contain("idCard"), "names the steps that exist");
            Assert.That(outOfOrder.Body["result"]!.GetValue<string>(), Is.EqualTo("outOfOrder"));
            Assert.That(noPerson.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(noPerson.Body["message"]!.GetValue<string>(), Does.Contain("Kiosk:Roster:SimulatedPeople"));
            Assert.That(faceBeforeConsent.Body["result"]!.GetValue<string>(), Is.EqualTo("outOfOrder"), "no face before consent");
            Assert.That(noChoice.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(otherText.Status, Is.EqualTo(HttpStatusCode.Conflict), "agreeing to a text this kiosk does not show");
            Assert.That(noVersion.Status, Is.EqualTo(HttpStatusCode.Conflict), "agreeing without saying to which text");
            Assert.That(notOffered.Body["result"]!.GetValue<string>(), Is.EqualTo("retry"), "nothing on file to withdraw");
            Assert.That(stillAsking["state"]!.GetValue<string>(), Is.EqualTo("consent"), "none of those moved the session");
            Assert.That(stillAsking["consent"]!["mode"]!.GetValue<string>(), Is.EqualTo("ask"));
            Assert.That(noAnswers.Status, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(view!["nextStep"]!.GetValue<string>(), Is.EqualTo("reportAnswers"), "a bad request did not move the session");
        });
    }
}
