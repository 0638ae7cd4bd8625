using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Tests.Session;

/// <summary>
/// What a strict check-in shows live while its steps run (the microphone's level, the pen's strokes, the pages scanned),
/// and that none of it reaches the record: a watched check-in stores what an unwatched one stores.
/// </summary>
public sealed class SessionActivityTests
{
    private SessionFixture _kiosk = null!;
    private readonly List<SessionActivity> _activities = [];

    [SetUp]
    public async Task SetUp()
    {
        _activities.Clear();
        _kiosk = new SessionFixture();
        await _kiosk.OpenAsync();
        _kiosk.Session.Activity += (_, activity) =>
        {
            lock (_activities)
            {
                _activities.Add(activity);
            }
        };
    }

    [TearDown]
    public async Task TearDown() => await _kiosk.DisposeAsync();

    [Test]
    public async Task The_spoken_report_raises_level_activities_with_the_recordings_limit()
    {
        await DoUntilAsync(CheckInStep.SpokenReport);
        Assert.That(Of("level"), Is.Empty, "no level before the recording");

        Assert.That((await _kiosk.DoAsync(CheckInStep.SpokenReport)).Result, Is.EqualTo(StepResult.Completed));

        var levels = Of("level");
        Assert.That(levels, Has.Count.GreaterThan(10), "a level every 100 ms of speech.wav");
        var elapsed = levels.Select(l => l["elapsedMs"]!.GetValue<long>()).ToList();
        Assert.That(elapsed, Is.Ordered.Ascending.And.Unique);
        Assert.That(levels.Select(l => l["maxMs"]!.GetValue<long>()), Has.All.EqualTo((long)_kiosk.Options.SpokenReportTimeout.TotalMilliseconds));
        Assert.That(levels.Select(l => l["level"]!.GetValue<double>()), Has.All.InRange(0.0, 1.0));
        Assert.That(levels.Where(l => l["speech"]!.GetValue<bool>()), Is.Not.Empty);
        Assert.That(levels.Where(l => l["level"]!.GetValue<double>() > 0.3), Is.Not.Empty, "the voice moves the meter");
    }

    [Test]
    public async Task The_scan_raises_one_pages_activity_with_a_labelled_thumbnail_of_each_page()
    {
        await DoUntilAsync(CheckInStep.DocumentScan);
        Assert.That((await _kiosk.DoAsync(CheckInStep.DocumentScan)).Result, Is.EqualTo(StepResult.Completed));

        var pages = Of("pages").Single();
        Assert.That(pages["count"]!.GetValue<int>(), Is.EqualTo(2), "one duplex sheet");
        var list = pages["pages"]!.AsArray().Select(p => p!.AsObject()).ToList();
        Assert.That(list.Select(p => (p["sheet"]!.GetValue<int>(), p["side"]!.GetValue<string>())), Is.EqualTo(new[] { (1, "front"), (1, "back") }));
        foreach (var page in list)
        {
            // The simulated scanner's pages (384x191 and 448x172 grey PNG, under 64 KB) are already thumbnail-sized.
            Assert.That(page["image"]!.GetValue<string>(), Does.StartWith("data:image/png;base64,"));
            Assert.That(page["height"]!.GetValue<int>(), Is.InRange(1, SessionActivities.ThumbnailHeight));
        }
    }

    [Test]
    public async Task The_signature_raises_pen_batches_that_carry_every_sample_of_the_stored_signature_in_order()
    {
        await DoUntilAsync(CheckInStep.Signature);
        Assert.That((await _kiosk.DoAsync(CheckInStep.Signature)).Result, Is.EqualTo(StepResult.Completed));
        await _kiosk.Session.CommitAsync(CancellationToken.None);

        var batches = Of("pen");
        var points = batches.SelectMany(b => b["points"]!.AsArray().Select(p => p!.AsArray().Select(v => v!.GetValue<int>()).ToArray())).ToList();
        var (record, _) = (await _kiosk.StoredAsync()).Single();
        var channels = await AttachmentJsonAsync(record, "signature");
        var x = Ints(channels["x"]!);
        var y = Ints(channels["y"]!);
        var pressure = Ints(channels["pressure"]!);
        var penDown = channels["penDown"]!.AsArray().Select(v => v!.GetValue<bool>() ? 1 : 0).ToList();
        Assert.That(points, Has.Count.EqualTo(x.Count));
        Assert.That(points, Is.EqualTo(x.Select((_, i) => new[] { x[i], y[i], pressure[i], penDown[i] })), "x, y, pressure, pen down of every sample, in order");
        Assert.That(batches.Select(b => (b["width"]!.GetValue<int>(), b["height"]!.GetValue<int>(), b["maxPressure"]!.GetValue<int>())),
            Has.All.EqualTo((channels["width"]!.GetValue<int>(), channels["height"]!.GetValue<int>(), channels["maxPressure"]!.GetValue<int>())));
        // The fake clock stands still while the simulated pad reports: batches end only where the pen lifts, and at the end.
        var lifts = penDown.Zip(penDown.Skip(1), (a, b) => a == 1 && b == 0).Count(l => l);
        Assert.That(batches, Has.Count.InRange(2, lifts + 1), "the samples are batched, not sent one by one");
    }

    [Test]
    public async Task A_watched_check_in_stores_exactly_what_an_unwatched_one_stores()
    {
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        await _kiosk.CompleteRemainingStepsAsync();
        await _kiosk.Session.CommitAsync(CancellationToken.None);
        Assert.That(_activities.Select(a => a.Kind), Is.SupersetOf(new[] { "level", "pen", "pages" }));

        await using var unwatched = new SessionFixture();
        await unwatched.OpenAsync();
        await unwatched.IdentifyAsync(unwatched.StrictPerson);
        await unwatched.CompleteRemainingStepsAsync();
        await unwatched.Session.CommitAsync(CancellationToken.None);

        var (watchedRecord, watchedBody) = (await _kiosk.StoredAsync()).Single();
        var (unwatchedRecord, unwatchedBody) = (await unwatched.StoredAsync()).Single();
        Assert.That(
            watchedRecord.Attachments.Select(a => (a.AttachmentId, a.ContentType, a.Length, a.Sha256, a.Biometric)),
            Is.EqualTo(unwatchedRecord.Attachments.Select(a => (a.AttachmentId, a.ContentType, a.Length, a.Sha256, a.Biometric))),
            "the same attachments, byte for byte: no thumbnail, level or pen batch among them");
        Assert.That(Comparable(watchedBody).ToJsonString(), Is.EqualTo(Comparable(unwatchedBody).ToJsonString()), "the same body but for its own ids");
        Assert.That(watchedBody.ToJsonString(), Does.Not.Contain("data:image").And.Not.Contain("\"points\"").And.Not.Contain("elapsedMs"));
    }

    private List<JsonObject> Of(string kind)
    {
        lock (_activities)
        {
            return [.. _activities.Where(a => a.Kind == kind).Select(a => a.Data)];
        }
    }

    /// <summary>Identifies the strict person and completes every step before <paramref name="step"/>.</summary>
    private async Task DoUntilAsync(CheckInStep step)
    {
        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        while (_kiosk.Session.NextStep is { } next && next != step)
        {
            Assert.That((await _kiosk.DoAsync(next)).Result, Is.EqualTo(StepResult.Completed), next.ToString());
        }
    }

    private async Task<JsonObject> AttachmentJsonAsync(OutboxRecord record, string attachmentId)
    {
        var attachment = record.Attachments.Single(a => a.AttachmentId == attachmentId);
        var bytes = await _kiosk.Outbox.ReadAttachmentChunkAsync(attachment, 0, (int)attachment.Length, CancellationToken.None);
        return JsonNode.Parse(bytes)!.AsObject();
    }

    private static List<int> Ints(JsonNode array) => [.. array.AsArray().Select(v => v!.GetValue<int>())];

    /// <summary>The body without what differs between any two check-ins (the record's and the session's ids, drawn fresh for each).</summary>
    private static JsonObject Comparable(JsonObject body)
    {
        var copy = body.DeepClone().AsObject();
        copy.Remove("recordId");
        copy.Remove("sessionId");
        return copy;
    }
}
