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

    internal static JsonObject Choice(string value, string zh, string en) => new()
    {
        ["value"] = value,
        ["text"] = new JsonObject { ["zh-CN"] = zh, ["en"] = en },
    };

    /// <summary>A required text question answered by picking one of three choices.</summary>
    internal static JsonObject EmploymentQuestion()
    {
        var question = Question("employment", "text", required: true);
        question["choices"] = new JsonArray(Choice("employed", "在职", "Employed"), Choice("unemployed", "待业", "Unemployed"), Choice("student", "在读", "Student"));
        return question;
    }

    /// <summary>Adds <see cref="EmploymentQuestion"/> to the normal level (its questions[3]) and returns it.</summary>
    private static JsonObject Employment(JsonObject policy)
    {
        var question = EmploymentQuestion();
        Normal(policy)["questions"]!.AsArray().Add(question);
        return question;
    }

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

    [Test]
    public void The_liveness_challenge_is_optional_and_takes_each_of_its_values()
    {
        var (ok, policy, error) = Parse(Policy());
        Assert.That(ok, Is.True, error);
        Assert.That(policy!.Levels["normal"].Challenge, Is.EqualTo(LivenessChallenge.None), "left out: no challenge, as before the field existed");

        foreach (var (wire, expected) in new[] { ("none", LivenessChallenge.None), ("blink", LivenessChallenge.Blink), ("turn", LivenessChallenge.Turn), ("either", LivenessChallenge.Either) })
        {
            var body = Policy();
            Normal(body)["livenessChallenge"] = wire;
            (ok, policy, error) = Parse(body);
            Assert.That(ok, Is.True, $"{wire}: {error}");
            Assert.That(policy!.Levels["normal"].Challenge, Is.EqualTo(expected));
            Assert.That(PolicyCommand.WireName(expected), Is.EqualTo(wire));
        }
    }

    [Test]
    public void A_question_with_choices_parses_their_values_and_texts()
    {
        var body = Policy();
        Employment(body);
        Normal(body)["questions"]![1]!["choices"] = new JsonArray(Choice("0", "没有", "None"), Choice("20", "20小时", "20 hours"), Choice("37.5", "全职", "Full time"));
        var (ok, policy, error) = Parse(body);

        Assert.That(ok, Is.True, error);
        var questions = policy!.Levels["normal"].Questions;
        Assert.Multiple(() =>
        {
            Assert.That(questions[3].Choices, Is.EqualTo(new[] { new AnswerChoice("employed", "在职", "Employed"), new AnswerChoice("unemployed", "待业", "Unemployed"), new AnswerChoice("student", "在读", "Student") }));
            Assert.That(questions[3].AnswerType, Is.EqualTo(AnswerType.Text));
            Assert.That(questions[1].Choices.Select(c => c.Value), Is.EqualTo(new[] { "0", "20", "37.5" }), "a number question's choices are numbers");
            Assert.That(questions[0].Choices, Is.Empty, "without choices: any answer of the type");
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
        ("choices not an array", p => Employment(p)["choices"] = "employed", "levels.normal.questions[3].choices: must be an array of 2..20 choices"),
        ("one choice", p => Employment(p)["choices"] = new JsonArray(Choice("employed", "在职", "Employed")), "levels.normal.questions[3].choices: must be an array of 2..20 choices"),
        ("21 choices", p => Employment(p)["choices"] = new JsonArray([.. Enumerable.Range(1, 21).Select(i => Choice("c" + i, "选项" + i, "Choice " + i))]), "levels.normal.questions[3].choices: must be an array of 2..20 choices"),
        ("choices on a yesNo question", p => Normal(p)["questions"]![0]!["choices"] = new JsonArray(Choice("yes", "是", "Yes"), Choice("no", "否", "No")), "levels.normal.questions[0].choices: only a text or number question takes choices"),
        ("choices on a date question", p => Normal(p)["questions"]![2]!["choices"] = new JsonArray(Choice("2026-01-01", "元旦", "New Year"), Choice("2026-10-01", "国庆", "National Day")), "levels.normal.questions[2].choices: only a text or number question takes choices"),
        ("choice not an object", p => Employment(p)["choices"]![1] = "unemployed", "levels.normal.questions[3].choices[1]: must be an object"),
        ("choice unknown field", p => Employment(p)["choices"]![0]!["hint"] = "x", "levels.normal.questions[3].choices[0]: 'hint'"),
        ("choice without value", p => Employment(p)["choices"]![1]!.AsObject().Remove("value"), "levels.normal.questions[3].choices[1].value"),
        ("choice value with spaces", p => Employment(p)["choices"]![1]!["value"] = "out of work", "levels.normal.questions[3].choices[1].value: must match"),
        ("choice value twice", p => Employment(p)["choices"]![2]!["value"] = "employed", "levels.normal.questions[3].choices[2].value: 'employed' is listed twice"),
        ("number choice not a number", p => Normal(p)["questions"]![1]!["choices"] = new JsonArray(Choice("0", "没有", "None"), Choice("many", "很多", "Many")), "levels.normal.questions[1].choices[1].value: the question's answerType is number"),
        ("choice without text", p => Employment(p)["choices"]![0]!.AsObject().Remove("text"), "levels.normal.questions[3].choices[0].text: must be an object"),
        ("choice without English", p => Employment(p)["choices"]![0]!["text"]!.AsObject().Remove("en"), "levels.normal.questions[3].choices[0].text.en"),
        ("choice text too long", p => Employment(p)["choices"]![0]!["text"]!["zh-CN"] = new string('长', PolicyCommand.MaxChoiceText + 1), "levels.normal.questions[3].choices[0].text.zh-CN: must be 1..100"),
        ("face attempts 0", p => Normal(p)["faceAttempts"] = 0, "levels.normal.faceAttempts"),
        ("face attempts 11", p => Normal(p)["faceAttempts"] = 11, "levels.normal.faceAttempts"),
        ("bad liveness", p => Normal(p)["liveness"] = "warn", "levels.normal.liveness"),
        ("bad liveness challenge", p => Normal(p)["livenessChallenge"] = "smile", "levels.normal.livenessChallenge: must be \"none\" (no challenge), \"blink\", \"turn\""),
        ("liveness challenge not a string", p => Normal(p)["livenessChallenge"] = true, "levels.normal.livenessChallenge: must be \"none\""),
        ("liveness challenge in another case", p => Normal(p)["livenessChallenge"] = "Blink", "levels.normal.livenessChallenge"),
        ("liveness challenge without a face step", p => { Normal(p)["steps"] = new JsonArray("idCard", "reportAnswers"); Normal(p)["livenessChallenge"] = "turn"; }, "levels.normal.livenessChallenge: the level has no face step"),
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

    /// <summary>What JSON Schema cannot say (unique values inside objects, numbers in strings): only the agent refuses these.</summary>
    private static readonly string[] OnlyTheParserRefuses = ["choice value twice", "number choice not a number"];

    [Test]
    public void The_contract_schema_agrees_with_the_parser_on_choices()
    {
        var valid = Policy();
        Employment(valid);
        Assert.That(Kiosk.Agent.Tests.Sync.ContractSchema.Errors("cmd-policy.schema.json", valid.ToJsonString()), Is.Empty);

        var broken = Refusals.Where(r => r.What.Contains("choice", StringComparison.Ordinal) && !OnlyTheParserRefuses.Contains(r.What)).ToList();
        Assert.That(broken, Has.Count.GreaterThan(8));
        foreach (var (what, breakIt, _) in broken)
        {
            var policy = Policy();
            breakIt(policy);
            Assert.That(Kiosk.Agent.Tests.Sync.ContractSchema.Errors("cmd-policy.schema.json", policy.ToJsonString()), Is.Not.Empty, what);
        }
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
