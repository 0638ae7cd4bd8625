using Kiosk.Agent.Outbox;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Session;
using Kiosk.Devices;
using Kiosk.Devices.Simulated;

namespace Kiosk.Agent.Tests.Session;

public sealed class CheckInSessionTests
{
    private SessionFixture _kiosk = null!;

    [SetUp]
    public async Task SetUp()
    {
        _kiosk = new SessionFixture();
        await _kiosk.OpenAsync();
    }

    [TearDown]
    public async Task TearDown() => await _kiosk.DisposeAsync();

    [Test]
    public async Task Normal_level_asks_for_card_face_report_and_signature_and_stores_them()
    {
        Assert.That((await _kiosk.IdentifyAsync(_kiosk.NormalPerson)).Result, Is.EqualTo(StepResult.Completed));
        Assert.That(_kiosk.Session.RequiredSteps, Is.EqualTo(new[] { CheckInStep.IdCard, CheckInStep.Face, CheckInStep.ReportAnswers, CheckInStep.Signature }));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Verify));

        var done = await _kiosk.CompleteRemainingStepsAsync();
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Commit));
        var (outcome, receipt) = await _kiosk.Session.CommitAsync(CancellationToken.None);

        Assert.That(outcome.Result, Is.EqualTo(StepResult.Completed));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Receipt));
        var (record, body) = (await _kiosk.StoredAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(done, Is.EqualTo(new[] { CheckInStep.Face, CheckInStep.ReportAnswers, CheckInStep.Signature }));
            Assert.That(record.RecordId, Is.EqualTo(receipt!.RecordId));
            Assert.That(record.Kind, Is.EqualTo(RecordKind.CheckIn));
            Assert.That(body["supervisionLevel"]!.GetValue<string>(), Is.EqualTo("normal"));
            Assert.That(body["person"]!["idNumber"]!.GetValue<string>(), Is.EqualTo(_kiosk.NormalPerson.Card.IdNumber));
            Assert.That(body["facts"]!["faceMatch"]!["score"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(body["facts"]!["faceMatch"]!["threshold"]!.GetValue<double>()));
            Assert.That(record.Attachments.Select(a => a.AttachmentId), Is.EquivalentTo(new[] { "idcard-photo", "face", "signature", "signature-image" }));
            Assert.That(record.Attachments.Where(a => a.AttachmentId != "signature-image").All(a => a.Biometric), Is.True);
            Assert.That(_kiosk.Session.HoldsPersonalData, Is.False, "the commit wiped the session's copies");
        });
    }

    [Test]
    public async Task Strict_level_adds_fingerprint_spoken_report_and_scanned_documents()
    {
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        Assert.That(_kiosk.Session.SupervisionLevel, Is.EqualTo("strict"));
        await _kiosk.CompleteRemainingStepsAsync();
        await _kiosk.Session.CommitAsync(CancellationToken.None);

        var (record, body) = (await _kiosk.StoredAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(body["policy"]!.AsArray().Select(s => s!.GetValue<string>()), Is.EqualTo(new[] { "idCard", "face", "fingerprint", "reportAnswers", "spokenReport", "documentScan", "signature" }));
            Assert.That(record.Attachments.Select(a => a.AttachmentId), Is.SupersetOf(new[] { "fingerprint", "fingerprint-minutiae", "spoken-report", "document-1-front", "document-1-back" }));
            Assert.That(body["steps"]!.AsArray(), Has.Count.EqualTo(7));
        });
    }

    [Test]
    public async Task The_fingerprint_is_stored_as_an_iso_19794_4_record_and_a_bad_image_loses_nothing()
    {
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        Assert.That((await _kiosk.DoAsync(CheckInStep.Face)).Result, Is.EqualTo(StepResult.Completed));
        ((SimulatedFingerprintReader)_kiosk.Devices.FingerprintReader).Faults.Next(SimulatedFault.GarbageData);
        var bad = await _kiosk.Session.VerifyFingerprintAsync(CancellationToken.None);
        Assert.That(bad.Result, Is.EqualTo(StepResult.Retry), bad.Message);
        Assert.That(_kiosk.Session.Evidence!.Buffers, Has.Count.GreaterThan(1), "the card photo and the face are still held");
        Assert.That(_kiosk.Session.NextStep, Is.EqualTo(CheckInStep.Fingerprint), "the person is asked to press again");

        await _kiosk.CompleteRemainingStepsAsync();
        await _kiosk.Session.CommitAsync(CancellationToken.None);
        var (record, _) = (await _kiosk.StoredAsync()).Single();
        var print = record.Attachments.Single(a => a.AttachmentId == "fingerprint");
        var bytes = (await _kiosk.Outbox.ReadAttachmentChunkAsync(print, 0, (int)print.Length, CancellationToken.None))!;
        Assert.Multiple(() =>
        {
            Assert.That(record.Attachments.Select(a => a.AttachmentId), Is.SupersetOf(new[] { "idcard-photo", "face", "fingerprint" }));
            Assert.That(print.ContentType, Is.EqualTo("application/vnd.iso.19794-4"));
            Assert.That(bytes[..8], Is.EqualTo("FIR\0010\0"u8.ToArray()), "ISO/IEC 19794-4:2005 format and version");
            Assert.That(bytes[8..14].Aggregate(0L, (n, b) => (n << 8) | b), Is.EqualTo(print.Length), "the record's own length is the attachment's");
            Assert.That(bytes[36], Is.EqualTo((byte)FingerPosition.RightIndex), "finger position of the session's request");
            Assert.That(bytes[46..54], Is.EqualTo(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }), "the PNG after the 32 + 14 header bytes");
        });
    }

    [Test]
    public async Task A_step_that_gets_no_answer_times_out_on_the_step_timeout_and_can_be_retried()
    {
        _kiosk.Present(_kiosk.NormalPerson);
        await _kiosk.Session.StartAsync(CancellationToken.None);
        _kiosk.IdCardReader.Faults.Next(SimulatedFault.Timeout);

        var reading = _kiosk.Session.ReadIdCardAsync(CancellationToken.None);
        Assert.That(reading.IsCompleted, Is.False, "the reader has not answered yet");
        _kiosk.Time.Advance(_kiosk.Options.StepTimeout);
        var outcome = await reading;

        Assert.That(outcome.Result, Is.EqualTo(StepResult.TimedOut));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Identify));
        Assert.That((await _kiosk.Session.ReadIdCardAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
    }

    [Test]
    public async Task Cancel_returns_to_idle_and_drops_the_person()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        Assert.That(_kiosk.Session.HoldsPersonalData, Is.True);

        var outcome = await _kiosk.Session.CancelAsync(CancellationToken.None);

        Assert.That(outcome.Result, Is.EqualTo(StepResult.Canceled));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Idle));
        Assert.That(_kiosk.Session.HoldsPersonalData, Is.False);
        Assert.That(await _kiosk.StoredAsync(), Is.Empty, "a canceled check-in stores nothing");
    }

    [Test]
    public async Task A_device_failing_mid_step_is_reported_and_the_step_can_be_retried()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        _kiosk.FaceCamera.Faults.Next(SimulatedFault.HardwareError);

        var failed = await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        Assert.That(failed.Result, Is.EqualTo(StepResult.DeviceFailed));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Verify));
        Assert.That(_kiosk.Devices.FaceCamera.ClaimedBy, Is.Null, "the session released the camera");

        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
    }

    [Test]
    public async Task A_face_that_does_not_match_raises_an_alert_and_halts_for_staff()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, face: "camera");

        var first = await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        Assert.That(first.Result, Is.EqualTo(StepResult.Retry), "one more try is allowed by FaceAttempts = 2");
        var second = await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);

        Assert.That(second.Result, Is.EqualTo(StepResult.Rejected));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Halted));
        Assert.That((await _kiosk.Session.SignAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder), "nothing goes on until staff reset it");
        var (record, body) = (await _kiosk.StoredAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(record.Kind, Is.EqualTo(RecordKind.Alert));
            Assert.That(record.Priority, Is.EqualTo(RecordPriority.Alert));
            Assert.That(body["alertType"]!.GetValue<string>(), Is.EqualTo("faceMismatch"));
            Assert.That(body["idNumber"]!.GetValue<string>(), Is.EqualTo(_kiosk.NormalPerson.Card.IdNumber));
        });
    }

    [Test]
    public async Task A_person_not_on_the_roster_raises_an_alert()
    {
        var outcome = await _kiosk.IdentifyAsync(_kiosk.UnknownPerson);
        Assert.That(outcome.Result, Is.EqualTo(StepResult.Rejected));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Halted));
        Assert.That((await _kiosk.StoredAsync()).Single().Body["alertType"]!.GetValue<string>(), Is.EqualTo("unknownPerson"));
    }

    [Test]
    public async Task Call_staff_stores_an_alert_and_keeps_the_session_where_it_was()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        await _kiosk.Session.CallStaffAsync("person asked for help", CancellationToken.None);
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Verify));
        var (record, body) = (await _kiosk.StoredAsync()).Single();
        Assert.That(record.Kind, Is.EqualTo(RecordKind.Alert));
        Assert.That(body["alertType"]!.GetValue<string>(), Is.EqualTo("callStaff"));
    }

    [Test]
    public async Task Reset_zeroes_every_captured_byte_and_forgets_the_person()
    {
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        await _kiosk.Session.VerifyFingerprintAsync(CancellationToken.None);
        var buffers = _kiosk.Session.Evidence!.Buffers.ToList();
        Assert.That(buffers.Sum(b => b.Count(x => x != 0)), Is.GreaterThan(1000), "the session held captured images");

        _kiosk.Session.Reset();

        Assert.Multiple(() =>
        {
            Assert.That(buffers.All(b => b.All(x => x == 0)), Is.True, "every buffer was zeroed");
            Assert.That(_kiosk.Session.HoldsPersonalData, Is.False);
            Assert.That(_kiosk.Session.Evidence, Is.Null);
            Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Idle));
            Assert.That(_kiosk.Session.RequiredSteps, Is.Empty);
        });
    }

    [Test]
    public async Task An_abandoned_session_resets_itself_after_the_idle_timeout()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        _kiosk.Time.Advance(_kiosk.Options.IdleTimeout - TimeSpan.FromSeconds(1));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Verify));

        _kiosk.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Idle));
        Assert.That(_kiosk.Session.HoldsPersonalData, Is.False);
    }

    [Test]
    public async Task The_receipt_goes_after_the_receipt_timeout_not_the_idle_timeout()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        await _kiosk.CompleteRemainingStepsAsync();
        var (outcome, _) = await _kiosk.Session.CommitAsync(CancellationToken.None);
        Assert.That(outcome.Result, Is.EqualTo(StepResult.Completed));
        Assert.That(_kiosk.Options.ReceiptTimeout, Is.LessThan(_kiosk.Options.IdleTimeout));

        _kiosk.Time.Advance(_kiosk.Options.ReceiptTimeout - TimeSpan.FromSeconds(1));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Receipt));

        _kiosk.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Idle), "the next person finds the start, not the last receipt");
    }

    [Test]
    public async Task Im_done_outside_a_recording_finishes_nothing()
    {
        Assert.That(_kiosk.Session.FinishSpokenReport(), Is.False, "no session");
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        Assert.That(_kiosk.Session.FinishSpokenReport(), Is.False, "the spoken report has not started");
        Assert.That(_kiosk.Session.State, Is.Not.EqualTo(SessionState.Idle));
    }

    [Test]
    public async Task Steps_out_of_order_are_refused()
    {
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder));
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        Assert.That((await _kiosk.Session.SignAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.OutOfOrder));
        Assert.That((await _kiosk.Session.CommitAsync(CancellationToken.None)).Outcome.Result, Is.EqualTo(StepResult.OutOfOrder));
    }

    [Test]
    public async Task A_claimed_device_makes_the_step_fail_instead_of_grabbing_it()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        using var diagnostic = (await _kiosk.Devices.FaceCamera.ClaimAsync("kioskctl probe", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;

        var stepping = _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        _kiosk.Time.Advance(TimeSpan.FromSeconds(2));
        var outcome = await stepping;

        Assert.That(outcome.Result, Is.EqualTo(StepResult.DeviceFailed));
        Assert.That(_kiosk.Devices.FaceCamera.ClaimedBy, Is.EqualTo("kioskctl probe"));
    }
}
