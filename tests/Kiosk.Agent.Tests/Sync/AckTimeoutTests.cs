using Kiosk.Agent.Sync;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>
/// The wait before an unacknowledged record is sent again follows the platform: a slow but answering platform is not
/// flooded with resends, a silent one sees them back off, and a quick one is never waited on longer than configured.
/// </summary>
public sealed class AckTimeoutTests
{
    private static readonly TimeSpan Minimum = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Maximum = TimeSpan.FromMinutes(10);

    [Test]
    public void A_quick_platform_keeps_the_configured_timeout()
    {
        var estimator = new AckTimeoutEstimator(Minimum, Maximum);
        for (var i = 0; i < 50; i++)
        {
            estimator.Sample(TimeSpan.FromMilliseconds(40));
        }

        Assert.That(estimator.Current, Is.EqualTo(Minimum));
    }

    [Test]
    public void A_platform_that_acks_in_forty_seconds_is_given_more_than_forty_seconds()
    {
        var estimator = new AckTimeoutEstimator(Minimum, Maximum);
        foreach (var seconds in new[] { 38, 41, 40, 44, 39, 42, 40, 43 })
        {
            estimator.Sample(TimeSpan.FromSeconds(seconds));
        }

        Assert.That(estimator.Current, Is.GreaterThan(TimeSpan.FromSeconds(44)).And.LessThan(TimeSpan.FromSeconds(90)));
    }

    [Test]
    public void Timeouts_double_the_wait_up_to_the_maximum_until_a_record_sent_once_is_acknowledged()
    {
        var estimator = new AckTimeoutEstimator(Minimum, Maximum);
        var waits = new List<TimeSpan>();
        for (var i = 0; i < 7; i++)
        {
            waits.Add(estimator.Current);
            estimator.TimedOut();
        }

        Assert.That(waits.Select(w => w.TotalSeconds), Is.EqualTo(new double[] { 30, 60, 120, 240, 480, 600, 600 }));
        estimator.Sample(TimeSpan.FromSeconds(1));
        Assert.That(estimator.Current, Is.EqualTo(Minimum));
    }

    [Test]
    public void In_the_window_a_slow_platform_gets_no_resends_while_a_silent_one_gets_fewer_and_fewer()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var window = new InFlightWindow(time, Minimum, Maximum);

        // The platform answers every record in 45 s. The first is sent again at 30 s; the next waits 60 s and, acked at
        // 45 s, is measured; from then on nothing is sent again at 30 s.
        long seq = 0;
        for (var i = 0; i < 8; i++)
        {
            window.Add(++seq, "r" + seq, epoch: 1, out _);
            time.Advance(TimeSpan.FromSeconds(45));
            Assert.That(window.Expire(1), i == 0 ? Has.Count.EqualTo(1) : Is.Empty, $"record {seq}");
            window.Acknowledged(seq, "r" + seq);
        }

        window.Add(++seq, "slow", epoch: 1, out _);
        time.Advance(TimeSpan.FromSeconds(46));
        Assert.That(window.Expire(1), Is.Empty, "a record 46 s out is not sent again while acks take about 45 s");

        // Then the platform falls silent: each timeout doubles the next wait (the first wait counts from the last send,
        // 46 s before this loop began, so the comparison starts with the second).
        var released = new List<double>();
        var since = time.GetTimestamp();
        for (var minute = 0; minute < 60 && released.Count < 4; minute++)
        {
            for (var s = 0; s < 60; s++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                if (window.Expire(1).Count > 0)
                {
                    released.Add(time.GetElapsedTime(since).TotalSeconds);
                    since = time.GetTimestamp();
                    window.Add(seq, "slow", epoch: 1, out var resend);
                    Assert.That(resend, Is.True);
                }
            }
        }

        Assert.That(released, Has.Count.EqualTo(4));
        Assert.That(released[1], Is.GreaterThan(45), "the first wait after a timeout is longer than the platform's ack time");
        for (var i = 2; i < released.Count; i++)
        {
            Assert.That(released[i], Is.EqualTo(2 * released[i - 1]).Within(2), "each wait twice the one before");
        }
    }
}
