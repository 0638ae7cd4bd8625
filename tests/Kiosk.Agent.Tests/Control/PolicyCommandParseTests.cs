using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Tests.Control;

/// <summary>cmd/policy's validation: every refusal names the level and field, never an exception.</summary>
public sealed class PolicyCommandParseTests
{
    /// <summary>A valid policy: normal with a report, strict with documents too.</summary>
    internal static JsonObject Policy(long version = 1) => new()
    {
        ["commandId"] = "c-2",
        ["version"] = version,
        ["levels"] = new JsonObject
        {
            ["normal"] = Level(["idCard", "face", "reportAnswers", "signature"], []),
            ["strict"] = Level(["idCard", "face", "fingerprint", "reportAnswers", "documentScan", "signature"], ["workCertificate"]),
        },
    };

    internal static JsonObject Level(string[] steps, string[] documentTypes, int faceAttempts = 2, string liveness = "block") => new()
    {
        ["steps"] = new JsonArray([.. steps.Select(s => JsonValue.Create(s))]),
        ["questions"] = steps.Contains("reportAnswers")
            ? new JsonArray(
                Question("residenceChanged", "yesNo", required: true),
                Question("hoursWorked", "number", required: false),
                Question("nextCourtDate", "date", required: false))
            : new JsonArray(),
        ["faceAttempts"] = faceAttempts,
        ["liveness"] = liveness,
        ["documentTypes"] = new JsonArray([.. documentTypes.Select(t => JsonValue.Create(t))]),
        ["attachmentRetentionDays"] = 90,
    };

    internal static JsonObject Question(string id, string type, bool required) => new()
    {
        ["id"] = id,
        ["text"] = new JsonObject { ["zh-CN"] = "问题 " + id, ["en"] = "Question " + id },
        ["answerType"] = type,
        ["required"] = required,
    };

    private static (bool Ok, SessionPolicy? Policy, string Error) Parse(JsonNode body)
    {
        var ok = PolicyCommand.TryParse(Encoding.UTF8.GetBytes(body.ToJsonString()), out var policy, out var error);
        return (ok, policy, error);
    }

    [Test]
    public void A_policy_parses_with_its_levels_steps_and_questions()
    {
        var (ok, policy, error) = Parse(Policy(7));

        Assert.That(ok, Is.True, error);
        Assert.That(policy!.Version, Is.EqualTo(7));
        var strict = policy.Levels["strict"];
        Assert.Multiple(() =>
        {
            Assert.That(strict.Steps, Is.EqualTo(new[] { CheckInStep.IdCard, CheckInStep.Face, CheckInStep.Fingerprint, CheckInStep.ReportAnswers, CheckInStep.DocumentScan, CheckInStep.Signature }));
            Assert.That(strict.Questions.Select(q => (q.Id, q.AnswerType, q.Required)), Is.EqualTo(new[] { ("residenceChanged", AnswerType.YesNo, true), ("hoursWorked", AnswerType.Number, false), ("nextCourtDate", AnswerType.Date, false) }));
            Assert.That(strict.Questions[0].TextZh, Is.EqualTo("问题 residenceChanged"));
            Assert.That(strict.LivenessBlocks, Is.True);
            Assert.That(strict.DocumentTypes, Is.EqualTo(new[] { "workCertificate" }));
            Assert.That(strict.AttachmentRetentionDays, Is.EqualTo(90));
            Assert.That(policy.Levels["normal"].FaceAttempts, Is.EqualTo(2));
        });
    }

    private static JsonObject Normal(JsonObject policy) => policy["levels"]!["normal"]!.AsObject();

    private static readonly (string What, Action<JsonObject> Break, string Names)[] Refusals =
    [
        ("unknown field", p => p["extra"] = true, "'extra' is not a known field"),
        ("no version", p => p.Remove("version"), "version:"),
        ("negative version", p => p["version"] = -1, "version:"),
        ("no levels", p => p.Remove("levels"), "levels:"),
        ("empty levels", p => p["levels"] = new JsonObject(), "levels:"),
        ("bad level name", p => p["levels"]!["Normal Level"] = Level(["idCard"], []), "levels: 'Normal Level'"),
        ("level unknown field", p => Normal(p)["colour"] = "blue", "levels.normal: 'colour'"),
        ("level field missing", p => Normal(p).Remove("liveness"), "levels.normal.liveness"),
        ("steps not an array", p => Normal(p)["steps"] = "idCard", "levels.normal.steps"),
        ("unknown step", p => Normal(p)["steps"]!.AsArray().Add("selfie"), "levels.normal.steps[4]"),
        ("step twice", p => Normal(p)["steps"]!.AsArray().Add("face"), "levels.normal.steps[4]"),
        ("not starting with idCard", p => Normal(p)["steps"] = new JsonArray("face", "idCard"), "levels.normal.steps: must start with idCard"),
        ("no steps", p => Normal(p)["steps"] = new JsonArray(), "levels.normal.steps"),
        ("report without questions", p => Normal(p)["questions"] = new JsonArray(), "levels.normal.questions"),
        ("questions without report", p => Normal(p)["steps"] = new JsonArray("idCard", "face"), "levels.normal.questions"),
        ("question unknown field", p => Normal(p)["questions"]![1]!["hint"] = "x", "levels.normal.questions[1]: 'hint'"),
        ("question bad id", p => Normal(p)["questions"]![1]!["id"] = "1st", "levels.normal.questions[1].id"),
        ("question id twice", p => Normal(p)["questions"]![1]!["id"] = "residenceChanged", "levels.normal.questions[1].id"),
        ("question without English", p => Normal(p)["questions"]![1]!["text"]!.AsObject().Remove("en"), "levels.normal.questions[1].text.en"),
        ("question blank Chinese", p => Normal(p)["questions"]![1]!["text"]!["zh-CN"] = " ", "levels.normal.questions[1].text.zh-CN"),
        ("question other language", p => Normal(p)["questions"]![1]!["text"]!["fr"] = "Question", "levels.normal.questions[1].text"),
        ("question bad answer type", p => Normal(p)["questions"]![1]!["answerType"] = "choice", "levels.normal.questions[1].answerType"),
        ("question required not boolean", p => Normal(p)["questions"]![1]!["required"] = "yes", "levels.normal.questions[1].required"),
        ("face attempts 0", p => Normal(p)["faceAttempts"] = 0, "levels.normal.faceAttempts"),
        ("face attempts 11", p => Normal(p)["faceAttempts"] = 11, "levels.normal.faceAttempts"),
        ("bad liveness", p => Normal(p)["liveness"] = "warn", "levels.normal.liveness"),
        ("document types without scan", p => Normal(p)["documentTypes"] = new JsonArray("payslip"), "levels.normal.documentTypes"),
        ("scan without document types", p => p["levels"]!["strict"]!["documentTypes"] = new JsonArray(), "levels.strict.documentTypes"),
        ("bad document type", p => p["levels"]!["strict"]!["documentTypes"] = new JsonArray("Pay slip"), "levels.strict.documentTypes[0]"),
        ("retention 0", p => Normal(p)["attachmentRetentionDays"] = 0, "levels.normal.attachmentRetentionDays"),
        ("retention too long", p => Normal(p)["attachmentRetentionDays"] = 3651, "levels.normal.attachmentRetentionDays"),
    ];

    private static IEnumerable<TestCaseData> RefusalCases() => Refusals.Select(r => new TestCaseData(r.Break, r.Names).SetArgDisplayNames(r.What));

    [TestCaseSource(nameof(RefusalCases))]
    public void A_bad_policy_is_refused_naming_the_field(Action<JsonObject> breakIt, string names)
    {
        var policy = Policy();
        breakIt(policy);
        var (ok, parsed, error) = Parse(policy);

        Assert.That(ok, Is.False);
        Assert.That(parsed, Is.Null);
        Assert.That(error, Does.Contain(names));
    }

    [TestCase("")]
    [TestCase("{\"version\": 1, \"levels\": ")]
    [TestCase("[1, 2]")]
    public void Anything_that_is_not_a_policy_object_is_refused_without_an_exception(string text)
    {
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(text), out var policy, out var error), Is.False);
        Assert.That(policy, Is.Null);
        Assert.That(error, Is.Not.Empty);
    }
}
