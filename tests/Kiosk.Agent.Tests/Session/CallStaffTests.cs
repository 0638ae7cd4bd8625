using Kiosk.Agent.Configuration;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Tests.Session;

/// <summary>"Call staff" raises an alert; pressed again and again (or flooded through the local API) it cannot fill the outbox.</summary>
public sealed class CallStaffTests
{
    [Test]
    public async Task Calls_within_the_interval_raise_one_alert_and_the_next_interval_another()
    {
        await using var kiosk = new SessionFixture(new SessionOptions { CallStaffInterval = TimeSpan.FromSeconds(30) });
        await kiosk.OpenAsync();

        var answers = new List<StepOutcome>();
        for (var i = 0; i < 500; i++)
        {
            answers.Add(await kiosk.Session.CallStaffAsync("help", CancellationToken.None));
        }

        Assert.That(answers, Has.All.Property(nameof(StepOutcome.Result)).EqualTo(StepResult.Completed), "the person is always told staff are called");
        Assert.That(answers.Skip(1), Has.All.Property(nameof(StepOutcome.Message)).Contains("already been called"));
        Assert.That(await AlertsAsync(kiosk), Is.EqualTo(1), "500 presses, one alert");

        kiosk.Time.Advance(TimeSpan.FromSeconds(30));
        await kiosk.Session.CallStaffAsync("still waiting", CancellationToken.None);
        Assert.That(await AlertsAsync(kiosk), Is.EqualTo(2));
    }

    [Test]
    public async Task A_long_reason_is_cut_to_what_an_alert_keeps()
    {
        await using var kiosk = new SessionFixture();
        await kiosk.OpenAsync();

        await kiosk.Session.CallStaffAsync(new string('x', 100_000), CancellationToken.None);

        var alert = (await kiosk.StoredAsync()).Single(r => r.Record.Kind == RecordKind.Alert);
        Assert.That(alert.Body["detail"]!.GetValue<string>(), Has.Length.EqualTo(CheckInSession.MaxCallStaffReason));
    }

    private static async Task<int> AlertsAsync(SessionFixture kiosk) =>
        (await kiosk.StoredAsync()).Count(r => r.Record.Kind == RecordKind.Alert && r.Body["alertType"]!.GetValue<string>() == "callStaff");
}
