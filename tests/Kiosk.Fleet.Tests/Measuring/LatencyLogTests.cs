using Kiosk.Fleet.Kiosks;
using Kiosk.Fleet.Measuring;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Fleet.Tests.Measuring;

public sealed class LatencyLogTests
{
    [Test]
    public void Nearest_rank_percentiles()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToList();

        Assert.That(LatencyLog.Percentile(samples, 0.99), Is.EqualTo(99));
        Assert.That(LatencyLog.Percentile(samples, 0.50), Is.EqualTo(50));
        Assert.That(LatencyLog.Percentile(samples, 1.0), Is.EqualTo(100));
        Assert.That(LatencyLog.Percentile([], 0.99), Is.Null);
    }

    [Test]
    public void A_record_is_timed_from_its_commit_to_its_ack_in_the_phase_it_was_committed()
    {
        var time = new FakeTimeProvider();
        var log = new LatencyLog();
        var pending = new PendingRecords(time);

        pending.Committed("a", "steady", log);
        time.Advance(TimeSpan.FromMilliseconds(1500));
        Assert.That(pending.AnyCommittedBefore(time.GetTimestamp()), Is.True);
        pending.Acknowledged("a", log);

        Assert.That(log.Samples("steady"), Is.EqualTo(new[] { 1500.0 }));
        Assert.That(pending.Count, Is.Zero);
        Assert.That(pending.AnyCommittedBefore(long.MaxValue), Is.False);
    }

    [Test]
    public void An_ack_applied_before_the_commit_was_noted_counts_as_zero_and_leaves_nothing_pending()
    {
        var log = new LatencyLog();
        var pending = new PendingRecords(new FakeTimeProvider());

        pending.Acknowledged("a", log);
        pending.Committed("a", "storm", log);

        Assert.That(log.Samples("storm"), Is.EqualTo(new[] { 0.0 }));
        Assert.That(pending.Count, Is.Zero);
    }
}
