using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Consent;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Kiosk.Agent.Tests.Control;
using Kiosk.Devices.Simulated;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Agent.Tests.Session;

/// <summary>Consent before biometric capture: asked once, then a notice; asked again when the scope changes; declinable and withdrawable.</summary>
public sealed class ConsentTests
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

    private CheckInSession Session => _kiosk.Session;

    [Test]
    public async Task The_first_check_in_asks_after_the_ID_card_and_nothing_biometric_is_captured_before_the_answer()
    {
        Assert.That((await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false)).Result, Is.EqualTo(StepResult.Completed));

        var question = Session.ConsentQuestion;
        Assert.Multiple(() =>
        {
            Assert.That(Session.State, Is.EqualTo(SessionState.Consent));
            Assert.That(Session.NextStep, Is.Null, "no step runs until the person answers");
            Assert.That(question, Is.Not.Null);
            Assert.That(question!.IsNotice, Is.False, "nothing on file: the whole consent text");
            Assert.That(question.Scope.Captures, Is.EqualTo(new[] { BiometricCapture.Face, BiometricCapture.Signature }), "what the normal level's steps capture");
            Assert.That(question.Scope.PlatformRetentionDays, Is.Null, "no platform policy: kept as the office's rules require");
            Assert.That(question.Scope.TextVersion, Is.EqualTo(ConsentScope.CurrentTextVersion));
        });

        Assert.That((await Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder));
        Assert.That((await Session.SignAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder));
        Assert.That(Session.Evidence!.Buffers, Has.Count.EqualTo(1), "only the ID card's photo, read from the card");

        var agreed = await Session.ConsentAsync(ConsentChoice.Agree, CancellationToken.None);
        Assert.That(agreed.Result, Is.EqualTo(StepResult.Completed));
        Assert.That(Session.State, Is.EqualTo(SessionState.Verify));
        Assert.That(Session.NextStep, Is.EqualTo(CheckInStep.Face));
        Assert.That(await _kiosk.Consents.CountAsync(CancellationToken.None), Is.Zero, "not kept until the check-in is stored");

        await _kiosk.CompleteRemainingStepsAsync();
        await Session.CommitAsync(CancellationToken.None);
        Assert.That(await _kiosk.Consents.CountAsync(CancellationToken.None), Is.EqualTo(1), "kept for next time");
    }

    [Test]
    public async Task A_consent_given_by_someone_whose_face_does_not_match_the_card_is_not_kept()
    {
        // Someone else's card: they agree, then the face shows they are not its holder.
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, face: "camera");
        Assert.That((await Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry));
        Assert.That((await Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Rejected));
        Session.Reset();

        Assert.That(await _kiosk.Consents.CountAsync(CancellationToken.None), Is.Zero);
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        Assert.That(Session.ConsentQuestion!.OnFile, Is.Null, "the holder is asked themselves");
    }

    [Test]
    public async Task The_committed_check_in_carries_the_consent()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        var givenAt = _kiosk.Time.GetUtcNow();
        await _kiosk.CompleteRemainingStepsAsync();
        await Session.CommitAsync(CancellationToken.None);

        var consent = (await _kiosk.StoredAsync()).Single(r => r.Record.Kind == RecordKind.CheckIn).Body["consent"]!;
        Assert.Multiple(() =>
        {
            Assert.That(consent["choice"]!.GetValue<string>(), Is.EqualTo("agree"));
            Assert.That(consent["version"]!.GetValue<int>(), Is.EqualTo(ConsentScope.CurrentTextVersion));
            Assert.That(consent["scope"]!["captures"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "face", "signature" }));
            Assert.That(consent["scope"]!["kioskRetention"]!.GetValue<string>(), Is.EqualTo("untilStoredByPlatform"));
            Assert.That(consent["scope"]!["platformRetentionDays"], Is.Null);
            Assert.That(consent["givenAt"]!.GetValue<string>(), Is.EqualTo(OutboxTime.Format(givenAt)));
            Assert.That(consent["givenInSession"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public async Task The_next_check_in_of_the_same_person_shows_only_the_notice_and_the_record_says_when_consent_was_given()
    {
        await CheckInAsync(_kiosk.NormalPerson);
        var firstGivenAt = (await _kiosk.StoredAsync()).Single().Body["consent"]!["givenAt"]!.GetValue<string>();
        _kiosk.Time.Advance(TimeSpan.FromDays(7));

        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        var question = Session.ConsentQuestion!;
        Assert.That(question.IsNotice, Is.True, "same person, same scope: a notice");
        Assert.That(OutboxTime.Format(question.OnFile!.GivenAt), Is.EqualTo(firstGivenAt));
        Assert.That((await Session.ConsentAsync(ConsentChoice.Staff, CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "the notice offers continue or withdraw");
        Assert.That(Session.State, Is.EqualTo(SessionState.Consent));

        Assert.That((await Session.ConsentAsync(ConsentChoice.Agree, CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
        await _kiosk.CompleteRemainingStepsAsync();
        await Session.CommitAsync(CancellationToken.None);

        var consent = (await _kiosk.StoredAsync()).Where(r => r.Record.Kind == RecordKind.CheckIn).Last().Body["consent"]!;
        Assert.That(consent["givenInSession"]!.GetValue<bool>(), Is.False);
        Assert.That(consent["givenAt"]!.GetValue<string>(), Is.EqualTo(firstGivenAt));

        // Another person at the same kiosk is asked for their own consent.
        Session.Reset();
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson, agree: false);
        Assert.That(Session.ConsentQuestion!.OnFile, Is.Null);
    }

    [Test]
    public async Task A_changed_scope_asks_again()
    {
        await ApplyAsync(Policy(1, ["idCard", "face", "signature"], retentionDays: 90));
        await CheckInAsync(_kiosk.NormalPerson);

        // The platform's policy now takes a fingerprint too.
        await ApplyAsync(Policy(2, ["idCard", "face", "fingerprint", "signature"], retentionDays: 90));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        var question = Session.ConsentQuestion!;
        Assert.Multiple(() =>
        {
            Assert.That(question.IsNotice, Is.False);
            Assert.That(question.ScopeChanged, Is.True);
            Assert.That(question.Scope.Captures, Is.EqualTo(new[] { BiometricCapture.Face, BiometricCapture.Fingerprint, BiometricCapture.Signature }));
            Assert.That(question.Scope.PlatformRetentionDays, Is.EqualTo(90));
        });
        await Session.ConsentAsync(ConsentChoice.Agree, CancellationToken.None);
        await _kiosk.CompleteRemainingStepsAsync();
        await Session.CommitAsync(CancellationToken.None);
        Session.Reset();

        // Same captures, longer retention: asked again too.
        await ApplyAsync(Policy(3, ["idCard", "face", "fingerprint", "signature"], retentionDays: 365));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        Assert.That(Session.ConsentQuestion!.ScopeChanged, Is.True);
        Assert.That(Session.ConsentQuestion.Scope.PlatformRetentionDays, Is.EqualTo(365));
        Session.Reset();

        // Nothing changed since: the notice.
        await ApplyAsync(Policy(4, ["idCard", "face", "fingerprint", "signature"], retentionDays: 90));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        Assert.That(Session.ConsentQuestion!.IsNotice, Is.True);
    }

    [Test]
    public async Task A_level_that_captures_nothing_biometric_asks_nothing()
    {
        await ApplyAsync(Policy(1, ["idCard", "reportAnswers"], retentionDays: 30));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        Assert.That(Session.State, Is.EqualTo(SessionState.Report));
        Assert.That(Session.ConsentQuestion, Is.Null);
        await _kiosk.CompleteRemainingStepsAsync();
        await Session.CommitAsync(CancellationToken.None);
        Assert.That((await _kiosk.StoredAsync()).Single().Body["consent"], Is.Null, "no capture, no consent to carry");
    }

    [Test]
    public async Task Declining_raises_the_staff_alert_halts_for_staff_captures_nothing_and_stores_no_check_in()
    {
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson, agree: false);
        // A one-shot fault waits for the camera's next capture: still there afterwards, it proves none was made.
        _kiosk.FaceCamera.Faults.Next(SimulatedFault.HardwareError);

        var declined = await Session.ConsentAsync(ConsentChoice.Staff, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(declined.Result, Is.EqualTo(StepResult.Completed), declined.Message);
            Assert.That(declined.Message, Does.Contain("工作人员"));
            Assert.That(Session.State, Is.EqualTo(SessionState.StaffCheckIn));
            Assert.That(Session.StaffCheckInReason, Is.EqualTo(ConsentDecision.Refused));
            Assert.That(Session.NextStep, Is.Null);
            Assert.That(Session.HoldsPersonalData, Is.False, "staff take over: the session forgets the person");
        });
        Assert.That((await Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder));
        Assert.That((await Session.VerifyFingerprintAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder));
        Assert.That((await Session.CommitAsync(CancellationToken.None)).Outcome.Result, Is.EqualTo(StepResult.OutOfOrder));

        var (record, body) = (await _kiosk.StoredAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(record.Kind, Is.EqualTo(RecordKind.Alert), "an alert and no check-in");
            Assert.That(record.Attachments, Is.Empty);
            Assert.That(body["alertType"]!.GetValue<string>(), Is.EqualTo("staffCheckIn"));
            Assert.That(body["idNumber"]!.GetValue<string>(), Is.EqualTo(_kiosk.StrictPerson.Card.IdNumber), "staff know whom to expect");
            Assert.That(body["consent"]!["decision"]!.GetValue<string>(), Is.EqualTo("refused"));
            Assert.That(body["consent"]!["scope"]!["captures"]!.AsArray().Select(c => c!.GetValue<string>()), Is.EqualTo(new[] { "face", "fingerprint", "voice", "signature" }));
        });
        Assert.That(await _kiosk.Consents.CountAsync(CancellationToken.None), Is.Zero, "a refusal is not kept as consent");

        // The person presses call staff too: staff are already called, nothing more is stored.
        await Session.CallStaffAsync("waiting", CancellationToken.None);
        Assert.That((await _kiosk.StoredAsync()), Has.Count.EqualTo(1));

        // The next person's first face capture meets the fault queued above: this session never used the camera.
        Session.Reset();
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        Assert.That((await Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.DeviceFailed));
    }

    [Test]
    public async Task Staff_acknowledging_the_staff_check_in_alert_is_shown_to_the_person()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        await Session.ConsentAsync(ConsentChoice.Staff, CancellationToken.None);
        var alert = (await _kiosk.StoredAsync()).Single().Record.RecordId;

        Assert.That(Session.NoteStaffDisposition(alert, resolved: false), Is.True);
        Assert.That(Session.StaffNotice, Is.EqualTo(CheckInSession.StaffComingNotice));
    }

    [Test]
    public async Task Withdrawing_deletes_the_stored_consent_raises_the_staff_alert_and_the_next_check_in_asks_again()
    {
        await CheckInAsync(_kiosk.NormalPerson);
        var givenAt = (await _kiosk.StoredAsync()).Single().Body["consent"]!["givenAt"]!.GetValue<string>();
        Assert.That(await _kiosk.Consents.CountAsync(CancellationToken.None), Is.EqualTo(1));

        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        Assert.That(Session.ConsentQuestion!.IsNotice, Is.True);
        var withdrawn = await Session.ConsentAsync(ConsentChoice.Withdraw, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(withdrawn.Result, Is.EqualTo(StepResult.Completed), withdrawn.Message);
            Assert.That(Session.State, Is.EqualTo(SessionState.StaffCheckIn));
            Assert.That(Session.StaffCheckInReason, Is.EqualTo(ConsentDecision.Withdrawn));
            Assert.That(Session.HoldsPersonalData, Is.False);
        });
        Assert.That(await _kiosk.Consents.CountAsync(CancellationToken.None), Is.Zero, "the withdrawn consent is gone");
        var stored = await _kiosk.StoredAsync();
        Assert.That(stored.Count(r => r.Record.Kind == RecordKind.CheckIn), Is.EqualTo(1), "only the first visit's check-in");
        var alert = stored.Single(r => r.Record.Kind == RecordKind.Alert).Body;
        Assert.Multiple(() =>
        {
            Assert.That(alert["alertType"]!.GetValue<string>(), Is.EqualTo("staffCheckIn"));
            Assert.That(alert["consent"]!["decision"]!.GetValue<string>(), Is.EqualTo("withdrawn"));
            Assert.That(alert["consent"]!["givenAt"]!.GetValue<string>(), Is.EqualTo(givenAt), "which consent was withdrawn");
            Assert.That(alert["consent"]!["storedConsentDeleted"]!.GetValue<bool>(), Is.True);
        });

        Session.Reset();
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        Assert.That(Session.ConsentQuestion!.OnFile, Is.Null, "asked as the first time");
    }

    [Test]
    public async Task Only_the_choices_offered_are_taken()
    {
        Assert.That((await Session.ConsentAsync(ConsentChoice.Agree, CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder), "idle");
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        Assert.That((await Session.ConsentAsync(ConsentChoice.Withdraw, CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry), "nothing on file to withdraw");
        Assert.That(Session.State, Is.EqualTo(SessionState.Consent));
        await Session.ConsentAsync(ConsentChoice.Agree, CancellationToken.None);
        Assert.That((await Session.ConsentAsync(ConsentChoice.Staff, CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder), "answered already");
    }

    [Test]
    public async Task The_consent_store_holds_no_ID_number_name_or_personId_in_the_clear()
    {
        await CheckInAsync(_kiosk.NormalPerson);
        await CheckInAsync(_kiosk.StrictPerson);
        Assert.That(await _kiosk.Consents.CountAsync(CancellationToken.None), Is.EqualTo(2));

        var bytes = new List<byte>();
        foreach (var file in new[] { _kiosk.ConsentFile, _kiosk.ConsentFile + "-wal" }.Where(File.Exists))
        {
            bytes.AddRange(File.ReadAllBytes(file));
        }

        var content = bytes.ToArray();
        Assert.That(content, Has.Length.GreaterThan(0));
        foreach (var (person, personId) in new[] { (_kiosk.NormalPerson, "P0001"), (_kiosk.StrictPerson, "P0002") })
        {
            foreach (var secret in new[] { person.Card.IdNumber, person.Card.Name, personId, RosterEntry.HashIdNumber(person.Card.IdNumber) })
            {
                foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
                {
                    Assert.That(content.AsSpan().IndexOf(encoding.GetBytes(secret)), Is.EqualTo(-1), $"'{secret}' ({encoding.WebName}) is not in the consent store");
                }
            }
        }
    }

    /// <summary>A whole check-in of <paramref name="person"/>, agreeing when asked, then back to Idle.</summary>
    private async Task CheckInAsync(SimulatedPerson person)
    {
        await _kiosk.IdentifyAsync(person);
        await _kiosk.CompleteRemainingStepsAsync();
        var (outcome, _) = await Session.CommitAsync(CancellationToken.None);
        Assert.That(outcome.Result, Is.EqualTo(StepResult.Completed), outcome.Message);
        Session.Reset();
    }

    private async Task ApplyAsync(JsonObject body)
    {
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(body.ToJsonString()), out var policy, out var error), Is.True, error);
        Assert.That((await _policies.ApplyAsync(policy!, body.ToJsonString(), CancellationToken.None)).Applied, Is.Not.Null);
    }

    private static JsonObject Policy(long version, string[] normalSteps, int retentionDays)
    {
        var policy = PolicyCommandParseTests.Policy(version);
        var level = PolicyCommandParseTests.Level(normalSteps, []);
        level["attachmentRetentionDays"] = retentionDays;
        policy["levels"]!["normal"] = level;
        return policy;
    }
}
