using Kiosk.Agent.Configuration;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Session;
using Kiosk.Devices;
using Kiosk.Devices.Simulated;
using Kiosk.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Tests.Session;

/// <summary>Voice prompts, status lights and the call button follow the check-in session (simulated devices).</summary>
public sealed class SessionFeedbackTests
{
    private SessionFixture _kiosk = null!;
    private LogRecorder _log = null!;
    private ILoggerFactory _loggers = null!;
    private SessionFeedback _feedback = null!;

    private SimulatedAudioPlayer Speaker => (SimulatedAudioPlayer)_kiosk.Devices.AudioPlayer;
    private SimulatedIndicators Lights => (SimulatedIndicators)_kiosk.Devices.Indicators;
    private SimulatedSensors Sensors => (SimulatedSensors)_kiosk.Devices.Sensors;

    [SetUp]
    public async Task SetUp()
    {
        _kiosk = new SessionFixture();
        await _kiosk.OpenAsync();
        _log = new LogRecorder();
        _loggers = LoggerFactory.Create(b => b.AddProvider(_log));
        _feedback = new SessionFeedback(_kiosk.Session, _kiosk.Devices, _loggers.CreateLogger<SessionFeedback>());
        await _feedback.StartAsync(CancellationToken.None);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _feedback.DisposeAsync();
        await _kiosk.DisposeAsync();
        _loggers.Dispose();
        _log.Dispose();
    }

    [Test]
    public async Task Each_new_step_is_spoken_in_order_and_the_lights_follow_the_session()
    {
        await Eventually.TrueAsync(() => Lights.StateOf(Indicator.Ready) == IndicatorPattern.On, "the ready light at start");

        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        await _kiosk.CompleteRemainingStepsAsync();
        var (outcome, _) = await _kiosk.Session.CommitAsync(CancellationToken.None);
        Assert.That(outcome.Result, Is.EqualTo(StepResult.Completed));

        string[] expected = ["step-id-card", "consent", "step-face", "step-report-answers", "step-signature", "commit", "receipt"];
        await Eventually.TrueAsync(() => Speaker.Played.Count >= expected.Length, "every prompt played");
        Assert.That(Speaker.Played, Is.EqualTo(expected));
        await Eventually.TrueAsync(() => Lights.StateOf(Indicator.Ready) == IndicatorPattern.FastBlink, "the success look");
        Assert.That(Lights.StateOf(Indicator.Busy), Is.EqualTo(IndicatorPattern.Off));

        _kiosk.Session.Reset();
        await Eventually.TrueAsync(() => Lights.StateOf(Indicator.Ready) == IndicatorPattern.On, "ready again after the receipt");
        Assert.That(Speaker.Played, Has.Count.EqualTo(expected.Length), "going back to Idle says nothing");
    }

    [Test]
    public async Task A_working_session_shows_busy()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);
        await Eventually.TrueAsync(() => Speaker.Played.Count >= 2, "the card and face prompts");
        Assert.Multiple(() =>
        {
            Assert.That(Lights.StateOf(Indicator.Busy), Is.EqualTo(IndicatorPattern.On));
            Assert.That(Lights.StateOf(Indicator.Ready), Is.EqualTo(IndicatorPattern.Off));
            Assert.That(Lights.StateOf(Indicator.Fault), Is.EqualTo(IndicatorPattern.Off));
        });
    }

    [Test]
    public async Task A_halted_session_says_staff_will_come_and_asks_for_attention()
    {
        Assert.That((await _kiosk.IdentifyAsync(_kiosk.UnknownPerson)).Result, Is.EqualTo(StepResult.Rejected));

        await Eventually.TrueAsync(() => Speaker.Played.Count >= 2, "the card and halted prompts");
        Assert.That(Speaker.Played, Is.EqualTo(new[] { "step-id-card", "halted" }));
        await Eventually.TrueAsync(() => Lights.StateOf(Indicator.Fault) == IndicatorPattern.SlowBlink, "the attention look");
        Assert.That(Lights.StateOf(Indicator.Busy), Is.EqualTo(IndicatorPattern.Off));
    }

    [Test]
    public async Task Consent_is_spoken_and_a_person_who_chooses_staff_hears_that_staff_are_told_and_sees_attention()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson, agree: false);
        await Eventually.TrueAsync(() => Speaker.Played.Count >= 2, "the card and consent prompts");
        Assert.That(Speaker.Played, Is.EqualTo(new[] { "step-id-card", "consent" }));

        await _kiosk.Session.ConsentAsync(Kiosk.Agent.Consent.ConsentChoice.Staff, CancellationToken.None);

        await Eventually.TrueAsync(() => Speaker.Played.Count >= 3, "the staff check-in prompt");
        Assert.That(Speaker.Played[^1], Is.EqualTo("staff-check-in"));
        await Eventually.TrueAsync(() => Lights.StateOf(Indicator.Fault) == IndicatorPattern.SlowBlink, "the attention look");
    }

    [Test]
    public async Task A_failing_speaker_never_breaks_a_check_in_and_is_logged_once()
    {
        Speaker.Faults.Persistent = SimulatedFault.Unplugged;

        await _kiosk.IdentifyAsync(_kiosk.StrictPerson);
        await _kiosk.CompleteRemainingStepsAsync();
        var (outcome, receipt) = await _kiosk.Session.CommitAsync(CancellationToken.None);

        Assert.That(outcome.Result, Is.EqualTo(StepResult.Completed));
        Assert.That(receipt, Is.Not.Null);
        await Eventually.TrueAsync(() => Lights.StateOf(Indicator.Ready) == IndicatorPattern.FastBlink, "the cues of the whole session handled");
        Assert.That(Speaker.Played, Is.Empty);
        Assert.That(_log.Entries.Count(e => e.EventId.Id == 3102), Is.EqualTo(1), string.Join("\n", _log.Lines));
    }

    [Test]
    public async Task The_call_button_calls_staff_once_per_press_and_asks_for_attention()
    {
        await _kiosk.IdentifyAsync(_kiosk.NormalPerson);

        Sensors.PressCallButton();

        await Eventually.TrueAsync(() => Speaker.Played.Contains(SessionFeedback.CallStaffPrompt), "the staff-called prompt");
        await Eventually.TrueAsync(() => Lights.StateOf(Indicator.Fault) == IndicatorPattern.SlowBlink, "the attention look");
        var alerts = (await _kiosk.StoredAsync()).Where(r => r.Record.Kind == RecordKind.Alert && r.Body["alertType"]!.GetValue<string>() == "callStaff").ToList();
        Assert.That(alerts, Has.Count.EqualTo(1));
        Assert.That(_kiosk.Session.State, Is.EqualTo(SessionState.Verify), "the session keeps its place");

        // Another sensor change while nothing is pressed (the press was consumed) calls no one.
        Sensors.SetPresence(true);
        var before = Speaker.Played.Count;
        Assert.That((await _kiosk.DoAsync(CheckInStep.Face)).Result, Is.EqualTo(StepResult.Completed));
        await Eventually.TrueAsync(() => Speaker.Played.Count > before, "the next step's prompt");
        Assert.That(Speaker.Played[^1], Is.EqualTo("step-report-answers"));
        Assert.That((await _kiosk.StoredAsync()).Count(r => r.Record.Kind == RecordKind.Alert), Is.EqualTo(1));
    }

    [Test]
    public async Task In_the_agent_a_prompt_missing_from_the_Aplay_prompt_folder_is_logged_once_and_the_check_in_goes_on()
    {
        await using var testbed = await Testbed.StartAsync("prompts");
        using var prompts = new TempFolder("no-prompts");
        var log = new LogRecorder();
        await using var agent = testbed.Agent(overrides: new Dictionary<string, string?>
        {
            ["Kiosk:Devices:AudioPlayer"] = "Aplay",
            ["Kiosk:Devices:Aplay:PromptFolder"] = prompts.Path,
            // Never started: a missing prompt is refused before any process.
            ["Kiosk:Devices:Aplay:Command"] = TrueProgram,
        }, configure: builder => builder.Logging.AddProvider(log));
        await agent.StartAsync();
        var feedback = agent.Services.GetRequiredService<SessionFeedback>();
        var handled = 0;
        feedback.CuePlayed += (_, cue) =>
        {
            if (cue.Prompt is not null)
            {
                Interlocked.Increment(ref handled);
            }
        };

        for (var i = 0; i < 2; i++)
        {
            Assert.That((await agent.Session.StartAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Completed));
            Assert.That((await agent.Session.CancelAsync(CancellationToken.None)).Result, Is.EqualTo(StepResult.Canceled));
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref handled) >= 2, "both sessions' card prompts asked for");
        var missing = log.Entries.Where(e => e.EventId.Id == 3101).ToList();
        Assert.That(missing, Has.Count.EqualTo(1), string.Join("\n", log.Lines));
        Assert.That(missing[0].Message, Does.Contain("step-id-card"));
    }

    /// <summary>A program that exists, for a driver that must open but never runs it.</summary>
    private static string TrueProgram => new[] { "/usr/bin/true", "/bin/true" }.First(File.Exists);

    [Test]
    public void Every_prompt_the_agent_asks_for_has_a_text_to_render()
    {
        var table = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "deploy", "prompts", "zh-CN.tsv"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t')[0])
            .ToHashSet(StringComparer.Ordinal);
        Assert.That(SessionFeedback.AllPrompts, Is.SubsetOf(table));
        Assert.That(SessionFeedback.AllPrompts, Is.Unique);
    }
}
