using System.Text;
using System.Text.Json.Nodes;
using Kiosk.Agent.Control.Commands;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Kiosk.Agent.Tests.Control;
using Kiosk.Devices;
using Kiosk.Devices.Simulated;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiosk.Agent.Tests.Session;

/// <summary>
/// The policy's liveness challenge in the face step: drawn per attempt, shown to the screen (and said) before the camera
/// looks, asked of the camera, decided by the policy's block or flag, and carried in the record's face step detail.
/// The simulated camera plays a live person (does the challenge) or a still photograph held up (fails it).
/// </summary>
public sealed class LivenessChallengeTests
{
    private PolicyStore _policies = null!;
    private SessionFixture _kiosk = null!;
    private readonly List<SessionActivity> _challenges = [];

    [SetUp]
    public async Task SetUp()
    {
        _policies = new PolicyStore(null, NullLogger<PolicyStore>.Instance);
        _kiosk = new SessionFixture(policies: _policies);
        await _kiosk.OpenAsync();
        _challenges.Clear();
        _kiosk.Session.Activity += (_, activity) =>
        {
            if (activity.Kind == "challenge")
            {
                lock (_challenges)
                {
                    _challenges.Add(activity);
                }
            }
        };
    }

    [TearDown]
    public async Task TearDown()
    {
        await _kiosk.DisposeAsync();
        _policies.Dispose();
    }

    private async Task ApplyAsync(string challenge, string liveness, int faceAttempts = 2)
    {
        var body = PolicyCommandParseTests.Policy(3);
        body["levels"]!["normal"] = PolicyCommandParseTests.Level(["idCard", "face"], [], faceAttempts, liveness);
        body["levels"]!["normal"]!["livenessChallenge"] = challenge;
        Assert.That(PolicyCommand.TryParse(Encoding.UTF8.GetBytes(body.ToJsonString()), out var policy, out var error), Is.True, error);
        Assert.That((await _policies.ApplyAsync(policy!, body.ToJsonString(), CancellationToken.None)).Applied, Is.Not.Null);
    }

    private async Task IdentifyAsync(FacePresentation presentation)
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        _kiosk.FaceCamera.PresentFace(_kiosk.NormalPerson.FaceSourceId, presentation);
    }

    private List<string> Asked()
    {
        lock (_challenges)
        {
            return [.. _challenges.Select(c => c.Data["challenge"]!.GetValue<string>())];
        }
    }

    private async Task<JsonObject> FaceDetailAsync()
    {
        var (_, body) = (await _kiosk.StoredAsync()).Single(r => r.Record.Kind == RecordKind.CheckIn);
        return body["steps"]!.AsArray().Single(s => s!["step"]!.GetValue<string>() == "face")!["detail"]!.AsObject();
    }

    [Test]
    public async Task A_live_person_does_the_turn_asked_and_the_record_says_what_was_asked_and_measured()
    {
        await ApplyAsync("turn", "block");
        await IdentifyAsync(FacePresentation.Live);

        var face = await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        Assert.That(face.Result, Is.EqualTo(StepResult.Completed), face.Message);
        Assert.That(Asked(), Has.Count.EqualTo(1));
        var asked = Asked()[0];
        Assert.That(asked, Is.AnyOf("turnLeft", "turnRight"));
        Assert.That(_challenges[0].Data["prompt"]!.GetValue<string>(), Does.Contain(asked == "turnLeft" ? "请向左转头 / Turn your head to the left" : "请向右转头 / Turn your head to the right"));

        await _kiosk.Session.CommitAsync(CancellationToken.None);
        var detail = await FaceDetailAsync();
        Assert.Multiple(() =>
        {
            Assert.That(detail["liveness"]!.GetValue<bool>(), Is.True);
            Assert.That(detail["challenge"]!["asked"]!.GetValue<string>(), Is.EqualTo(asked));
            Assert.That(detail["challenge"]!["done"]!.GetValue<bool>(), Is.True);
            Assert.That(detail["challenge"]!["turnYawDegrees"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(15));
            Assert.That(detail["challenge"]!["frames"]!.GetValue<int>(), Is.Positive);
            Assert.That(detail.ContainsKey("livenessFlagged"), Is.False);
            Assert.That(detail.ContainsKey("failedChallenges"), Is.False);
        });
    }

    [Test]
    public async Task Under_block_a_still_photo_fails_each_attempt_with_a_new_challenge_and_halts_with_a_liveness_alert()
    {
        await ApplyAsync("either", "block", faceAttempts: 3);
        await IdentifyAsync(FacePresentation.StillPhoto);

        var first = await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        Assert.That(first.Result, Is.EqualTo(StepResult.Retry));
        Assert.That(first.Message, Does.Contain("The action asked for was not seen"));
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry));
        var last = await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);

        Assert.That(last.Result, Is.EqualTo(StepResult.Rejected));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Halted));
        Assert.That(Asked(), Has.Count.EqualTo(3), "one challenge per attempt");
        var (record, body) = (await _kiosk.StoredAsync()).Single();
        Assert.Multiple(() =>
        {
            Assert.That(record.Kind, Is.EqualTo(RecordKind.Alert));
            Assert.That(body["alertType"]!.GetValue<string>(), Is.EqualTo("livenessFailed"));
            Assert.That(body["detail"]!.GetValue<string>(), Does.Contain("liveness challenge after 3 attempts").And.Contain("last asked: " + Asked()[2]));
        });
    }

    [Test]
    public async Task A_failed_challenge_then_a_done_one_passes_and_the_record_counts_the_failure()
    {
        await ApplyAsync("blink", "block");
        await IdentifyAsync(FacePresentation.StillPhoto);
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Retry));

        _kiosk.FaceCamera.PresentFace(_kiosk.NormalPerson.FaceSourceId, FacePresentation.Live);
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
        await _kiosk.Session.CommitAsync(CancellationToken.None);

        var detail = await FaceDetailAsync();
        Assert.That(Asked(), Is.EqualTo(new[] { "blink", "blink" }));
        Assert.That(detail["challenge"]!["done"]!.GetValue<bool>(), Is.True);
        Assert.That(detail["failedChallenges"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task Under_flag_a_still_photo_completes_the_step_and_the_record_flags_the_challenge_not_done()
    {
        await ApplyAsync("blink", "flag");
        await IdentifyAsync(FacePresentation.StillPhoto);

        var face = await _kiosk.Session.VerifyFaceAsync(CancellationToken.None);
        Assert.That(face.Result, Is.EqualTo(StepResult.Completed), face.Message);
        await _kiosk.Session.CommitAsync(CancellationToken.None);

        var stored = await _kiosk.StoredAsync();
        Assert.That(stored.Select(s => s.Record.Kind), Is.EqualTo(new[] { RecordKind.CheckIn }), "no alert under flag");
        var detail = await FaceDetailAsync();
        Assert.Multiple(() =>
        {
            Assert.That(detail["liveness"]!.GetValue<bool>(), Is.False);
            Assert.That(detail["livenessFlagged"]!.GetValue<bool>(), Is.True);
            Assert.That(detail["challenge"]!["asked"]!.GetValue<string>(), Is.EqualTo("blink"));
            Assert.That(detail["challenge"]!["done"]!.GetValue<bool>(), Is.False);
            Assert.That(detail["challenge"]!["reason"]!.GetValue<string>(), Does.StartWith("no blink seen"));
        });
    }

    [Test]
    public async Task Without_a_challenge_in_the_policy_nothing_is_asked_and_the_record_has_no_challenge()
    {
        await ApplyAsync("none", "block");
        await IdentifyAsync(FacePresentation.Live);
        Assert.That((await _kiosk.Session.VerifyFaceAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
        await _kiosk.Session.CommitAsync(CancellationToken.None);

        Assert.That(Asked(), Is.Empty);
        Assert.That((await FaceDetailAsync()).ContainsKey("challenge"), Is.False);
    }

    [Test]
    public void Each_draw_is_random_over_the_sides_and_kinds_the_policy_allows()
    {
        var turns = Enumerable.Range(0, 64).Select(_ => SessionActivities.Draw(LivenessChallenge.Turn)).ToHashSet();
        var either = Enumerable.Range(0, 64).Select(_ => SessionActivities.Draw(LivenessChallenge.Either)).ToHashSet();
        // A fixed answer would fail; a fair draw misses a side in 64 draws with probability 2^-63 (turn) and 3*(2/3)^64 (either).
        Assert.That(turns, Is.EquivalentTo(new[] { FaceChallenge.TurnLeft, FaceChallenge.TurnRight }));
        Assert.That(either, Is.EquivalentTo(new[] { FaceChallenge.Blink, FaceChallenge.TurnLeft, FaceChallenge.TurnRight }));
        Assert.That(SessionActivities.Draw(LivenessChallenge.Blink), Is.EqualTo(FaceChallenge.Blink));
        Assert.That(SessionActivities.Draw(LivenessChallenge.None), Is.EqualTo(FaceChallenge.None));
    }
}
