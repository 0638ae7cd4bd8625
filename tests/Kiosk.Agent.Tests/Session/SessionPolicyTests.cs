using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Session;
using Kiosk.Agent.Tests.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Agent.Tests.Session;

/// <summary>The platform's policy drives the session: its steps, face attempts, liveness rule and required answers.</summary>
public sealed class SessionPolicyTests
{
    private PolicyStore _policies = null!;
    private SessionFixture _kiosk = null!;

    [SetUp]
    public async Task SetUp()
    {
        _policies = new PolicyStore(null, NullLogger<PolicyStore>.Instance);
        _kiosk = new SessionFixture(policies: _policies);
        await _kiosk.OpenAsync();
    }

    [TearDown]
    public async Task TearDown()
    {
        await _kiosk.DisposeAsync();
        _policies.Dispose();
    }

    private async Task ApplyAsync(JsonObject body)
    {
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(body.ToJsonString()), out var policy, out var error), Is.True, error);
        Assert.That((await _policies.ApplyAsync(policy!, body.ToJsonString(), CancellationToken.None)).Applied, Is.Not.Null);
    }

    private static JsonObject Policy(long version, string[] normalSteps, int faceAttempts = 2, string liveness = "block")
    {
        var policy = PolicyCommandParseTests.Policy(version);
        policy["levels"]!["normal"] = PolicyCommandParseTests.Level(normalSteps, [], faceAttempts, liveness);
        return policy;
    }

    private static Dictionary<string, string> Answers(params (string Id, string Answer)[] answers) => answers.ToDictionary(a => a.Id, a => a.Answer);

    [Test]
    public async Task The_policy_steps_replace_the_configured_ones_and_the_record_says_which_policy()
    {
        await ApplyAsync(Policy(4, ["idCard", "reportAnswers", "face"]));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);

        Assert.That(_kiosk.Session.RequiredSteps, Is.EqualTo(new[] { CheckInStep.IdCard, CheckInStep.ReportAnswers, CheckInStep.Face }));
        Assert.That(_kiosk.Session.Questions.Select(q => q.Id), Is.EqualTo(new[] { "residenceChanged", "hoursWorked", "nextCourtDate" }));
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
        var (_, receipt) = await _kiosk.Session.CommitAsync(CancellationToken.None);

        var (_, body) = (await _kiosk.StoredAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(receipt!.PolicyVersion, Is.EqualTo(4));
            Assert.That(receipt.AttachmentRetentionDays, Is.EqualTo(90));
            Assert.That(body["policyVersion"]!.GetValue<long>(), Is.EqualTo(4));
            Assert.That(body["attachmentRetentionDays"]!.GetValue<int>(), Is.EqualTo(90));
            Assert.That(body["policy"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "idCard", "reportAnswers", "face" }));
            Assert.That(body["facts"]!["report"]!["residenceChanged"]!.GetValue<string>(), Is.EqualTo("no"));
        });
    }

    [Test]
    public async Task Required_answers_and_answer_types_are_enforced()
    {
        await ApplyAsync(Policy(1, ["idCard", "reportAnswers"]));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);

        var missing = await _kiosk.Session.SubmitReportAsync(Answers(("hoursWorked", "12")), CancellationToken.None);
        Assert.That(missing.Result, Is.EqualTo(StepResult.Retry));
        Assert.That(missing.Message, Does.Contain("Question residenceChanged"));
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", " ")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "blank is no answer");
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "maybe")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "yesNo takes yes or no");
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no"), ("hoursWorked", "many")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "a number");
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no"), ("nextCourtDate", "28/11/2026")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "a date is yyyy-MM-dd");
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no"), ("favouriteColour", "blue")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "an unknown question");
        Assert.That(_kiosk.Session.NextStep, Is.EqualTo(CheckInStep.ReportAnswers), "still waiting for the report");

        var done = await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "yes"), ("hoursWorked", "37.5"), ("nextCourtDate", "2026-12-01")), CancellationToken.None);
        Assert.That(done.Result, Is.EqualTo(StepResult.Completed));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Commit));
    }

    [Test]
    public async Task An_answer_to_a_question_with_choices_must_be_one_of_its_values()
    {
        var policy = Policy(1, ["idCard", "reportAnswers"]);
        policy["levels"]!["normal"]!["questions"]!.AsArray().Add(PolicyCommandParseTests.EmploymentQuestion());
        await ApplyAsync(policy);
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        Assert.That(_kiosk.Session.Questions.Single(q => q.Id == "employment").Choices.Select(c => c.Value), Is.EqualTo(new[] { "employed", "unemployed", "student" }));

        var other = await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no"), ("employment", "retired")), CancellationToken.None);
        Assert.That(other.Result, Is.EqualTo(StepResult.Retry));
        Assert.That(other.Message, Does.Contain("choose one of the options"));
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no"), ("employment", "在读")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "the value, not the label");
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no"), ("employment", "Student")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "values are compared exactly");
        Assert.That((await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no")), CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "a required choice is still required");

        var done = await _kiosk.Session.SubmitReportAsync(Answers(("residenceChanged", "no"), ("employment", "student")), CancellationToken.None);
        Assert.That(done.Result, Is.EqualTo(StepResult.Completed), done.Message);
        await _kiosk.Session.CommitAsync(CancellationToken.None);
        var (_, body) = (await _kiosk.StoredAsync()).Single();
        Assert.That(body["facts"]!["report"]!["employment"]!.GetValue<string>(), Is.EqualTo("student"));
    }

    [Test]
    public void A_number_question_with_choices_takes_only_its_values()
    {
        var hours = new ReportQuestion("hoursWorked", "工作时长", "Hours worked", AnswerType.Number, Required: false)
        {
            Choices = [new AnswerChoice("0", "没有", "None"), new AnswerChoice("20", "半职", "Part time"), new AnswerChoice("40", "全职", "Full time")],
        };

        Assert.Multiple(() =>
        {
            Assert.That(CheckInSession.CheckAnswers([hours], Answers(("hoursWorked", "40"))), Is.Null);
            Assert.That(CheckInSession.CheckAnswers([hours], Answers(("hoursWorked", " 20 "))), Is.Null, "trimmed like every answer");
            Assert.That(CheckInSession.CheckAnswers([hours], Answers()), Is.Null, "not required");
            Assert.That(CheckInSession.CheckAnswers([hours], Answers(("hoursWorked", "41"))), Does.Contain("choose one of the options"), "a number, but not a choice");
            Assert.That(CheckInSession.CheckAnswers([hours], Answers(("hoursWorked", "40.0"))), Does.Contain("choose one of the options"), "the value as the policy spells it");
            Assert.That(CheckInSession.CheckAnswers([hours], Answers(("hoursWorked", "full"))), Does.Contain("give a number"), "the type is checked first");
        });
    }

    [Test]
    public async Task The_policy_face_attempts_decide_when_the_session_halts()
    {
        await ApplyAsync(Policy(1, ["idCard", "face"], faceAttempts: 3));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, face: "camera");

        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry));
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "configuration's 2 attempts would have halted here");
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Rejected));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Halted));
    }

    [Test]
    public async Task A_session_finishes_on_the_policy_it_started_with()
    {
        await ApplyAsync(Policy(1, ["idCard", "face", "signature"]));
        _kiosk.Present(_kiosk.NormalPerson);
        await _kiosk.Session.StartAsync(CancellationToken.None);

        await ApplyAsync(Policy(2, ["idCard", "reportAnswers"]));
        await _kiosk.Session.ReadIdCardAsync(CancellationToken.None);
        Assert.That(_kiosk.Session.RequiredSteps, Is.EqualTo(new[] { CheckInStep.IdCard, CheckInStep.Face, CheckInStep.Signature }));
        Assert.That(_kiosk.Session.PolicyVersion, Is.EqualTo(1));
        await _kiosk.CompleteRemainingStepsAsync();
        await _kiosk.Session.CommitAsync(CancellationToken.None);
        _kiosk.Session.Reset();

        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        Assert.That(_kiosk.Session.RequiredSteps, Is.EqualTo(new[] { CheckInStep.IdCard, CheckInStep.ReportAnswers }), "the next session takes the new policy");
        Assert.That(_kiosk.Session.PolicyVersion, Is.EqualTo(2));
    }
}
