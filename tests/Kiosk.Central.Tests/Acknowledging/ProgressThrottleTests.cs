using Kiosk.Central.Acknowledging;
using Kiosk.Central.Reassembly;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Central.Tests.Acknowledging;

[TestFixture]
public sealed class ProgressThrottleTests
{
    private static readonly AttachmentKey Face = new("s", "k", "r", "face");

    [Test]
    public void FirstAdvanceGoesOutThenEveryFourChunksAndTheRestWhenTheIntervalIsUp()
    {
        var time = new FakeTimeProvider();
        var reported = new List<int>();
        using var throttle = new ProgressThrottle(time, (_, n) => reported.Add(n));

        for (var n = 1; n <= 10; n++)
        {
            throttle.Advance(Face, n);
        }

        Assert.That(reported, Is.EqualTo((int[])[1, 5, 9]));
        time.Advance(TimeSpan.FromMilliseconds(249));
        Assert.That(reported, Has.Count.EqualTo(3));
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(reported, Is.EqualTo((int[])[1, 5, 9, 10]));

        throttle.Advance(Face, 10);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(reported, Has.Count.EqualTo(4), "no report without an advance");
        throttle.Advance(Face, 11);
        Assert.That(reported[^1], Is.EqualTo(11), "250 ms after the last report an advance of one goes out at once");
    }

    [Test]
    public void AForgottenAttachmentReportsNothingMore()
    {
        var time = new FakeTimeProvider();
        var reported = new List<int>();
        using var throttle = new ProgressThrottle(time, (_, n) => reported.Add(n));

        throttle.Advance(Face, 1);
        throttle.Advance(Face, 2);
        throttle.Forget(new RecordKey("s", "k", "r"));
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.That(reported, Is.EqualTo((int[])[1]));
    }

    [Test]
    public void AnAckHoldsTheLatestCountPerAttachmentAndNoneForARecordItAcknowledges()
    {
        var time = new FakeTimeProvider();
        var sent = new List<AckMessage>();
        using var batcher = new AckBatcher(time, TimeSpan.FromMilliseconds(20), 500, sent.Add);

        batcher.ReportProgress(Face, 4);
        batcher.ReportProgress(Face, 8);
        batcher.ReportProgress(new AttachmentKey("s", "k", "r2", "face"), 3);
        batcher.Acknowledge("s", "k", "r2");
        time.Advance(TimeSpan.FromMilliseconds(20));

        Assert.That(sent.Single().Progress, Is.EqualTo(new[] { new ChunkProgress("r", "face", 8) }));
        Assert.That(sent.Single().RecordIds, Is.EqualTo((string[])["r2"]));
    }
}
