using System.Text;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Session;
using Kiosk.Devices.Simulated;

namespace Kiosk.Agent.Tests.Session;

/// <summary>What a running step shows live: the face camera's previews reach the screen as <c>face</c> activities, and the record keeps none of them.</summary>
public sealed class FacePreviewActivityTests
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
    public async Task The_face_step_shows_previews_while_it_runs_and_the_record_keeps_none_of_them()
    {
        var seen = new List<(SessionActivity Activity, CheckInStep? During)>();
        _kiosk.Session.Activity += (_, activity) =>
        {
            lock (seen)
            {
                seen.Add((activity, _kiosk.Session.NextStep));
            }
        };
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        Assert.That(seen, Is.Empty, "reading the ID card shows nothing live");

        var face = await _kiosk.DoAsync(CheckInStep.Face);
        Assert.That(face.Result, Is.EqualTo(StepResult.Completed), face.Message);
        List<(SessionActivity Activity, CheckInStep? During)> during;
        lock (seen)
        {
            during = [.. seen];
        }

        Assert.That(during.Select(s => s.Activity.Kind), Is.EqualTo(new[] { "face", "face", "face" }), "the simulated camera's three frames");
        Assert.That(during.Select(s => s.During), Is.All.EqualTo(CheckInStep.Face), "raised while the face step ran");
        Assert.That(during.Select(s => s.Activity.Data["hint"]!.GetValue<string>()), Is.EqualTo(new[] { "noFace", "moveCloser", "holdStill" }));
        var last = during[^1].Activity.Data;
        Assert.That(last["frame"]!.GetValue<string>(), Does.StartWith("data:image/png;base64,"));
        var (width, height) = (last["width"]!.GetValue<int>(), last["height"]!.GetValue<int>());
        Assert.That(width, Is.InRange(1, 320));
        var box = last["box"]!;
        Assert.That(box["x"]!.GetValue<int>() + box["width"]!.GetValue<int>(), Is.InRange(1, width), "the box lies in the frame");
        Assert.That(box["y"]!.GetValue<int>() + box["height"]!.GetValue<int>(), Is.InRange(1, height));

        await _kiosk.CompleteRemainingStepsAsync();
        await _kiosk.Session.CommitAsync(CancellationToken.None);
        // The signature step shows its pen strokes live; nothing after the face step shows the face.
        Assert.That(seen.Count(s => s.Activity.Kind == "face"), Is.EqualTo(during.Count), "the later steps of a normal check-in show nothing of the face");

        var (record, body) = (await _kiosk.StoredAsync()).Single();
        var frames = during.Select(s => Convert.FromBase64String(s.Activity.Data["frame"]!.GetValue<string>().Split(',')[1])).ToList();
        var json = body.ToJsonString();
        Assert.That(json, Does.Not.Contain("data:image"), "no preview frame in the record's body");
        Assert.That(json, Does.Not.Contain("holdStill").And.Not.Contain("moveCloser"), "no preview hint in the record's body");
        foreach (var attachment in record.Attachments)
        {
            var bytes = await _kiosk.Outbox.ReadAttachmentChunkAsync(attachment, 0, (int)attachment.Length, CancellationToken.None);
            Assert.That(frames.Any(f => f.AsSpan().SequenceEqual(bytes)), Is.False, $"attachment {attachment.AttachmentId} is not a preview frame");
            Assert.That(Encoding.ASCII.GetString(bytes!.AsSpan(0, Math.Min(bytes!.Length, 64))), Does.Not.Contain("data:image"));
        }

        var faceAttachment = record.Attachments.Single(a => a.AttachmentId == "face");
        var captured = await _kiosk.Outbox.ReadAttachmentChunkAsync(faceAttachment, 0, (int)faceAttachment.Length, CancellationToken.None);
        Assert.That(captured, Is.EqualTo(await File.ReadAllBytesAsync(Kiosk.TestSupport.RepositoryPaths.TestDataFile("astronaut.png"))), "the record keeps the capture itself, full size");
    }

    [Test]
    public async Task Nobody_in_front_of_the_camera_shows_the_empty_view_and_the_step_can_be_retried()
    {
        var hints = new List<string>();
        _kiosk.Session.Activity += (_, activity) =>
        {
            lock (hints)
            {
                hints.Add(activity.Data["hint"]!.GetValue<string>());
            }
        };
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        _kiosk.FaceCamera.Faults.Next(SimulatedFault.NoFace);

        var face = await _kiosk.DoAsync(CheckInStep.Face);

        Assert.That(face.Result, Is.Not.EqualTo(StepResult.Completed));
        Assert.That(_kiosk.Session.NextStep, Is.EqualTo(CheckInStep.Face));
        lock (hints)
        {
            Assert.That(hints, Is.EqualTo(new[] { "noFace" }));
        }
    }
}
