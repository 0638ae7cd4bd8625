using Kiosk.TestSupport;
using Kiosk.Agent.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Agent.Tests.Sync;

/// <summary>The warning that this kiosk's certificate is near its end: at start, then once a day, from 30 days before.</summary>
public sealed class ClientCertificateExpiryTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 28, 14, 0, 0, TimeSpan.Zero);

    private FakeTimeProvider _clock = null!;

    [SetUp]
    public void SetUp() => _clock = new FakeTimeProvider(Start);

    private static ClientCertificateExpiry Expiry(DateTimeOffset notAfter, TimeProvider clock, LogRecorder logs) =>
        new(notAfter, clock, logs.CreateLogger("test"));

    [Test]
    public void Inside_30_days_it_warns_at_start_and_then_once_a_day()
    {
        using var logs = new LogRecorder();
        var expiry = Expiry(Start.AddDays(12.5), _clock, logs);

        Assert.That(expiry.WarnIfDue(), Is.True, "at start");
        _clock.Advance(TimeSpan.FromHours(23.9));
        Assert.That(expiry.WarnIfDue(), Is.False, "again the same day");
        _clock.Advance(TimeSpan.FromHours(0.1));
        Assert.That(expiry.WarnIfDue(), Is.True, "a day later");

        var messages = logs.Entries.Select(e => (e.Level, e.EventId.Id, e.Message)).ToList();
        Assert.That(messages, Has.Count.EqualTo(2));
        Assert.That(messages[0], Is.EqualTo((LogLevel.Warning, 2201, messages[0].Message)));
        Assert.That(messages[0].Message, Does.Contain("2026-12-11T02:00:00.000Z").And.Contain("12 days left").And.Contain("kioskctl enroll"));
        Assert.That(messages[1].Message, Does.Contain("11 days left"));
    }

    [Test]
    public void With_30_days_or_more_left_it_is_silent_until_the_30th_day()
    {
        using var logs = new LogRecorder();
        var expiry = Expiry(Start.AddDays(30), _clock, logs);

        Assert.That(expiry.WarnIfDue(), Is.False, "exactly 30 days left");
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.That(expiry.WarnIfDue(), Is.True, "fewer than 30 days left");
        Assert.That(logs.Entries.Single().Message, Does.Contain("29 days left"));
    }

    [Test]
    public void Setting_the_wall_clock_back_does_not_silence_the_daily_warning()
    {
        using var logs = new LogRecorder();
        var clock = new AdjustableWallClock(_clock);
        var expiry = Expiry(Start.AddDays(10), clock, logs);
        Assert.That(expiry.WarnIfDue(), Is.True);

        // A day passes on the monotonic clock while someone sets the wall clock back by a week.
        _clock.Advance(TimeSpan.FromDays(1));
        clock.Offset = TimeSpan.FromDays(-7);
        Assert.That(expiry.WarnIfDue(), Is.True);
        Assert.That(logs.Entries.Last().Message, Does.Contain("16 days left"));
    }

    [Test]
    public void An_expired_certificate_is_an_error_and_its_days_left_are_negative()
    {
        using var logs = new LogRecorder();
        var expiry = Expiry(Start.AddHours(-36), _clock, logs);

        Assert.That(expiry.WarnIfDue(), Is.True);
        Assert.That(logs.Entries.Single().Level, Is.EqualTo(LogLevel.Error));
        Assert.That(logs.Entries.Single().Message, Does.Contain("expired at 2026-11-27T02:00:00.000Z"));
        Assert.That(expiry.DaysLeft(Start), Is.EqualTo(-2), "rounded down");
        Assert.That(expiry.ToJson(Start).ToJsonString(), Is.EqualTo("""{"clientCertificateNotAfter":"2026-11-27T02:00:00.000Z","clientCertificateDaysLeft":-2}"""));
    }

    /// <summary>The fake clock's monotonic time with a wall clock that can be set apart from it.</summary>
    private sealed class AdjustableWallClock(FakeTimeProvider inner) : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;
    }
}
