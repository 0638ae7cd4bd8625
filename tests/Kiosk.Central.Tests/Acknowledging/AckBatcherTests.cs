using Kiosk.Central.Acknowledging;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Central.Tests.Acknowledging;

[TestFixture]
public sealed class AckBatcherTests
{
    [Test]
    public void RecordIdsOfOneKioskGoOutTogetherWhenTheWindowCloses()
    {
        var time = new FakeTimeProvider();
        var sent = new List<AckMessage>();
        using var batcher = new AckBatcher(time, TimeSpan.FromMilliseconds(20), 500, sent.Add);

        batcher.Acknowledge("s", "k1", "a");
        batcher.Acknowledge("s", "k1", "b");
        batcher.Acknowledge("s", "k1", "a");
        batcher.Acknowledge("s", "k2", "c");
        time.Advance(TimeSpan.FromMilliseconds(19));
        Assert.That(sent, Is.Empty);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.That(sent.Select(m => (m.Topic, string.Join(",", m.RecordIds))), Is.EquivalentTo(new[] { ("kiosk/v1/s/k1/ack", "a,b"), ("kiosk/v1/s/k2/ack", "c") }));
        Assert.That(sent[0].PlatformTime, Is.EqualTo(time.GetUtcNow()));
    }

    [Test]
    public void AFullBatchGoesOutAtOnce()
    {
        var time = new FakeTimeProvider();
        var sent = new List<AckMessage>();
        using var batcher = new AckBatcher(time, TimeSpan.FromSeconds(5), 3, sent.Add);

        foreach (var id in "abcd")
        {
            batcher.Acknowledge("s", "k", id.ToString());
        }

        Assert.That(string.Join(",", sent.Single().RecordIds), Is.EqualTo("a,b,c"));
        batcher.FlushAll();
        Assert.That(string.Join(",", sent[1].RecordIds), Is.EqualTo("d"));
    }
}
