using Kiosk.Agent.Sync;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Sync;

public sealed class DrainRateLimitTests
{
    [Test]
    public async Task Allows_a_burst_of_two_ticks_then_one_tick_of_messages_per_100_ms()
    {
        var time = new FakeTimeProvider();
        using var limit = new DrainRateLimit(100, time);
        for (var i = 0; i < 20; i++)
        {
            Assert.That(limit.WaitAsync(CancellationToken.None).AsTask().IsCompleted, Is.True, $"message {i} is within the burst");
        }

        var waiting = Enumerable.Range(0, 10).Select(_ => limit.WaitAsync(CancellationToken.None).AsTask()).ToList();
        var eleventh = limit.WaitAsync(CancellationToken.None).AsTask();
        Assert.That(waiting.Any(t => t.IsCompleted), Is.False, "the bucket is empty");

        time.Advance(TimeSpan.FromMilliseconds(100));
        await Task.WhenAll(waiting);
        Assert.That(eleventh.IsCompleted, Is.False, "10 per tick at 100 messages a second");
        time.Advance(TimeSpan.FromMilliseconds(100));
        await eleventh;
    }

    [TestCase(4, 10, 40)]
    [TestCase(25, 2, 50)]
    [TestCase(1, 10, 10)]
    public void A_rate_that_is_not_a_multiple_of_ten_is_kept_as_configured(int perSecond, int seconds, int expected)
    {
        var time = new FakeTimeProvider();
        using var limit = new DrainRateLimit(perSecond, time);
        var burst = 0;
        Task pending;
        while ((pending = limit.WaitAsync(CancellationToken.None).AsTask()).IsCompleted)
        {
            burst++;
        }

        // The first call that had to wait, and plenty behind it: count what the clock lets through.
        var waiting = Enumerable.Range(0, expected * 2).Select(_ => limit.WaitAsync(CancellationToken.None).AsTask()).Prepend(pending).ToList();
        for (var tick = 0; tick < seconds * 10; tick++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var released = waiting.Count(t => t.IsCompleted);
        Assert.Multiple(() =>
        {
            Assert.That(burst, Is.EqualTo(Math.Max(1, perSecond / 5)), "two ticks' worth, at least one message");
            Assert.That(released, Is.EqualTo(expected).Within(1), $"{perSecond} a second for {seconds} s");
        });
    }

    [Test]
    public async Task A_canceled_waiter_gives_its_turn_to_the_next()
    {
        var time = new FakeTimeProvider();
        using var limit = new DrainRateLimit(10, time);
        await limit.WaitAsync(CancellationToken.None);
        await limit.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var canceled = limit.WaitAsync(cancel.Token).AsTask();
        var next = limit.WaitAsync(CancellationToken.None).AsTask();
        await cancel.CancelAsync();
        Assert.That(async () => await canceled, Throws.InstanceOf<OperationCanceledException>());

        time.Advance(TimeSpan.FromMilliseconds(100));
        await next;
    }

    [Test]
    public void Zero_means_unlimited()
    {
        using var limit = new DrainRateLimit(0, new FakeTimeProvider());
        for (var i = 0; i < 10_000; i++)
        {
            Assert.That(limit.WaitAsync(CancellationToken.None).AsTask().IsCompleted, Is.True);
        }
    }
}
