using Kiosk.Devices.Simulated;
using Kiosk.Devices.Tests.Contracts;
using NUnit.Framework;

namespace Kiosk.Devices.Tests.Simulated;

[TestFixture]
public sealed class SimulatedAudioRecorderContractTests : AudioRecorderContract<SimulatedAudioRecorder>
{
    protected override TimeSpan OperationTimeout => SimulatedAudioRecorder.TimeoutOf(Request);

    protected override SimulatedAudioRecorder CreateDevice(TimeProvider timeProvider) => new("microphone", Simulation.Options(), timeProvider);

    protected override bool ArrangeUnplugged() => Script(SimulatedFault.Unplugged);

    protected override bool ArrangeSlow() => Script(SimulatedFault.Slow);

    protected override bool ArrangeTimeout() => Script(SimulatedFault.Timeout);

    protected override bool ArrangeGarbage() => Script(SimulatedFault.GarbageData);

    protected override bool ArrangeHardwareError() => Script(SimulatedFault.HardwareError);

    protected override bool ArrangeSilence() => Script(SimulatedFault.Silence);

    [Test]
    public async Task Speech_excludes_the_second_of_leading_and_two_of_trailing_silence()
    {
        var clip = await SuccessOfAsync(c => Device.RecordAsync(c, Request, CancellationToken.None));
        Assert.That(clip.Speech, Is.LessThanOrEqualTo(clip.Duration - TimeSpan.FromSeconds(3)));
        Assert.That(clip.Speech, Is.GreaterThan(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task Another_sample_rate_is_unsupported()
    {
        var result = await RunAsync(c => Device.RecordAsync(c, Request with { SampleRate = 48000 }, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Unsupported));
    }

    [Test]
    public async Task With_a_live_capture_duration_the_levels_are_played_out_over_it_and_the_clip_is_the_same()
    {
        var atOnce = await SuccessOfAsync(c => Device.RecordAsync(c, Request, CancellationToken.None));
        var options = Simulation.Options();
        options.LiveCaptureDuration = TimeSpan.FromSeconds(3);
        await using var microphone = new SimulatedAudioRecorder("microphone", options, Time);
        await microphone.OpenAsync(CancellationToken.None);
        using var claim = (await microphone.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var levels = new Reported<AudioLevel>();

        var recording = microphone.RecordAsync(claim, Request with { Levels = levels }, CancellationToken.None);
        AdvanceInSteps(options.OperationDelay + TimeSpan.FromSeconds(1));
        var first = levels.Items.Count;
        Assert.That(recording.IsCompleted, Is.False, "still speaking");
        AdvanceInSteps(TimeSpan.FromSeconds(2));
        var clip = (await recording.WaitAsync(TimeSpan.FromSeconds(30))).Value!;

        var all = levels.Items;
        Assert.That(first, Is.EqualTo(all.Count / 3).Within(1), "a third of the levels in a third of the time");
        Assert.That(all, Has.Count.EqualTo((int)(atOnce.Duration / AudioLevel.Interval)), "every whole 100 ms of the clip");
        Assert.That(clip.Wav.ToArray(), Is.EqualTo(atOnce.Wav.ToArray()));
        Assert.That(all.Take(5).Select(l => l.Level), Has.All.Zero, "speech.wav starts with a second of silence");
        Assert.That(all.Max(l => l.Level), Is.GreaterThan(0.5), "and then a voice");
    }

    [Test]
    public async Task Finish_ends_a_live_recording_at_once_and_keeps_the_clip()
    {
        var options = Simulation.Options();
        options.LiveCaptureDuration = TimeSpan.FromSeconds(3);
        await using var microphone = new SimulatedAudioRecorder("microphone", options, Time);
        await microphone.OpenAsync(CancellationToken.None);
        using var claim = (await microphone.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        using var finish = new CancellationTokenSource();

        var recording = microphone.RecordAsync(claim, Request with { Finish = finish.Token }, CancellationToken.None);
        AdvanceInSteps(options.OperationDelay + TimeSpan.FromSeconds(1));
        Assert.That(recording.IsCompleted, Is.False, "still speaking");

        // "I'm done": no more time passes on the clock, and the recording ends with what was said.
        await finish.CancelAsync();
        var result = await recording.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(result.IsSuccess, Is.True, result.Description);
        Assert.That(result.Value!.Wav.Length, Is.GreaterThan(44));
    }

    [Test]
    public async Task Speaking_until_finished_goes_on_past_one_playing_until_I_am_done_and_stops_at_the_limit()
    {
        var onePlaying = (int)((await SuccessOfAsync(c => Device.RecordAsync(c, Request, CancellationToken.None))).Duration / AudioLevel.Interval);
        var options = Simulation.Options();
        options.LiveCaptureDuration = TimeSpan.FromSeconds(3);
        options.SpeakUntilFinished = true;
        await using var microphone = new SimulatedAudioRecorder("microphone", options, Time);
        await microphone.OpenAsync(CancellationToken.None);
        using var claim = (await microphone.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;

        using (var finish = new CancellationTokenSource())
        {
            var levels = new Reported<AudioLevel>();
            var recording = microphone.RecordAsync(claim, Request with { Finish = finish.Token, Levels = levels }, CancellationToken.None);
            AdvanceInSteps(options.OperationDelay + TimeSpan.FromSeconds(10));
            Assert.That(recording.IsCompleted, Is.False, "still speaking after three playings");
            Assert.That(levels.Items, Has.Count.GreaterThanOrEqualTo(3 * onePlaying), "the levels keep coming, the clip's again and again");

            await finish.CancelAsync();
            var result = await recording.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(result.IsSuccess, Is.True, result.Description);
        }

        // Nobody presses "I'm done": the recording ends at the request's limit, not before.
        var limited = microphone.RecordAsync(claim, Request with { MaxDuration = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        AdvanceInSteps(options.OperationDelay + TimeSpan.FromSeconds(8));
        Assert.That(limited.IsCompleted, Is.False, "8 s into a 10 s limit");
        AdvanceInSteps(TimeSpan.FromSeconds(3));
        var clip = await limited.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(clip.IsSuccess, Is.True, clip.Description);
        Assert.That(new SimulationOptions { SpeakUntilFinished = true }.Problems(), Has.One.Contains("SpeakUntilFinished"), "without a live capture duration it would never wait");
    }

    [Test]
    public void A_live_capture_duration_outside_0_to_1_minute_is_refused_by_name()
    {
        Assert.That(new SimulationOptions().Problems(), Is.Empty);
        Assert.That(new SimulationOptions { LiveCaptureDuration = TimeSpan.FromSeconds(-1) }.Problems(), Has.One.Contains("LiveCaptureDuration"));
        Assert.That(new SimulationOptions { LiveCaptureDuration = TimeSpan.FromMinutes(2) }.Problems(), Has.One.Contains("LiveCaptureDuration"));
        Assert.That(new SimulationOptions { OperationDelay = TimeSpan.FromSeconds(-1) }.Problems(), Has.One.Contains("OperationDelay"));
    }

    /// <summary>Moves the fake clock 1 ms at a time, so each wait the simulator starts when another ends is reached too.</summary>
    private void AdvanceInSteps(TimeSpan by)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += TimeSpan.FromMilliseconds(1))
        {
            Time.Advance(TimeSpan.FromMilliseconds(1));
        }
    }

    private bool Script(SimulatedFault fault)
    {
        Device.Faults.Next(fault);
        return true;
    }
}
