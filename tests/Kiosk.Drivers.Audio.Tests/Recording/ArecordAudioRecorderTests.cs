using Kiosk.Devices;
using Kiosk.Devices.Audio;
using Kiosk.Devices.Tests.Contracts;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.Audio.Tests.Recording;

/// <summary>The recorder through stand-in processes (and arecord itself where no sound card is needed to fail).</summary>
public sealed class ArecordAudioRecorderTests
{
    private static readonly AudioRecordRequest Request = new() { MaxDuration = TimeSpan.FromSeconds(60), StopAfterSilence = TimeSpan.FromSeconds(1.5) };

    private StandIn _standIn = null!;

    [SetUp]
    public void CreateStandIn() => _standIn = new StandIn();

    [TearDown]
    public void DeleteStandIn() => _standIn.Dispose();

    [Test]
    public async Task Speech_is_trimmed_and_the_capture_stops_after_the_silence_that_follows_it()
    {
        var (result, _) = await RecordAsync(RecorderStandIn.Options(_standIn), Request);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        var clip = result.Value!;
        TestContext.Out.WriteLine($"duration {clip.Duration} speech {clip.Speech}");
        Assert.That(clip.Speech.TotalSeconds, Is.InRange(7.0, 9.0));
        Assert.That(clip.Duration, Is.EqualTo(clip.Speech + (2 * SilenceTrimmer.DefaultMargin)).Within(TimeSpan.FromMilliseconds(1)));
        Assert.That(WavFile.TryRead(clip.Wav, out var audio, out _), Is.True);
        Assert.That(audio!.Duration, Is.EqualTo(clip.Duration));
    }

    [Test]
    public async Task Max_duration_cuts_the_recording()
    {
        var (result, _) = await RecordAsync(RecorderStandIn.Options(_standIn), Request with { MaxDuration = TimeSpan.FromSeconds(3) });

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(result.Value!.Duration.TotalSeconds, Is.EqualTo(3 - 1 + 0.25).Within(0.03), "speech from 1 s to the cut, plus the leading margin");
    }

    [Test]
    public async Task Another_requested_rate_is_resampled()
    {
        var (result, _) = await RecordAsync(RecorderStandIn.Options(_standIn), Request with { SampleRate = 8000 });

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        Assert.That(result.Value!.SampleRate, Is.EqualTo(8000));
        Assert.That(result.Value.Wav.Length, Is.EqualTo(44 + (int)Math.Round(result.Value.Duration.TotalSeconds * 8000 * 2)));
    }

    [Test]
    public async Task A_silent_source_is_no_media()
    {
        _standIn.Next(RecorderStandIn.Silence);
        var (result, _) = await RecordAsync(RecorderStandIn.Options(_standIn), Request);
        Assert.That(result.Code, Is.EqualTo(CompletionCode.NoMedia), result.ToString());
    }

    [Test]
    public async Task A_missing_command_is_not_ready_and_no_device()
    {
        var options = RecorderStandIn.Options(_standIn);
        options.Command = "/nonexistent/arecord";
        await using var recorder = new ArecordAudioRecorder("microphone", options, new FakeTimeProvider());

        var opened = await recorder.OpenAsync(CancellationToken.None);

        Assert.That(opened.Code, Is.EqualTo(CompletionCode.DeviceNotReady));
        Assert.That(recorder.Status, Is.EqualTo(DeviceStatus.NoDevice));
    }

    [Test]
    public async Task Real_arecord_with_an_unknown_pcm_is_not_ready_and_no_device()
    {
        var options = new ArecordAudioRecorderOptions { Device = "kiosk_test_no_such_pcm" };
        var (result, status) = await RecordAsync(options, Request);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(result.Description, Does.Contain("audio open error"));
        Assert.That(status, Is.EqualTo(DeviceStatus.NoDevice));
    }

    [Test]
    public async Task A_process_killed_mid_record_is_not_ready()
    {
        _standIn.Next(RecorderStandIn.KilledMidRecord);
        var (result, _) = await RecordAsync(RecorderStandIn.Options(_standIn), Request);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.DeviceNotReady), result.ToString());
        Assert.That(result.DeviceError, Is.EqualTo("exit 137"), "SIGKILL");
    }

    [Test]
    public async Task A_source_that_never_delivers_times_out_and_is_stopped()
    {
        _standIn.Next(RecorderStandIn.Hang);
        var time = new FakeTimeProvider();
        await using var recorder = new ArecordAudioRecorder("microphone", RecorderStandIn.Options(_standIn), time);
        await recorder.OpenAsync(CancellationToken.None);
        using var claim = (await recorder.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var request = Request with { MaxDuration = TimeSpan.FromSeconds(5) };

        var running = recorder.RecordAsync(claim, request, CancellationToken.None);
        // The timeout may fire only once the stand-in runs the hang: killed earlier, it would leave the hang for the next recording.
        await _standIn.WaitFaultTakenAsync();
        time.Advance(recorder.TimeoutOf(request));
        var result = await running.WaitAsync(RealIo.Bound);

        Assert.That(result.Code, Is.EqualTo(CompletionCode.Timeout), result.ToString());
        var next = await recorder.RecordAsync(claim, Request, CancellationToken.None).WaitAsync(RealIo.Bound);
        Assert.That(next.Code, Is.EqualTo(CompletionCode.Success), "the hung process was killed and the next recording works");
    }

    [Test]
    public async Task Levels_come_as_the_audio_arrives_rise_with_a_loud_source_and_leave_the_clip_unchanged()
    {
        var source = _standIn.File("loudness.wav");
        File.WriteAllBytes(source, Loudness.Wav());
        var options = new ArecordAudioRecorderOptions { Command = "sh", Arguments = _standIn.Arguments($"exec sox \"$1\" {RecorderStandIn.Raw}", source) };
        var levels = new Reported<AudioLevel>();
        var request = Request with { StopAfterSilence = TimeSpan.FromSeconds(0.8) };

        var (watched, _) = await RecordAsync(options, request with { Levels = levels });
        var (unwatched, _) = await RecordAsync(options, request);

        Assert.That(watched.Code, Is.EqualTo(CompletionCode.Success), watched.ToString());
        Loudness.AssertRisesWithTheNoise(levels.Items);
        Assert.That(levels.Items.Select(l => l.Elapsed), Is.EqualTo(Enumerable.Range(1, levels.Items.Count).Select(i => TimeSpan.FromMilliseconds(100 * i))), "one every 100 ms of audio, in order");
        Assert.That(watched.Value!.Wav.ToArray(), Is.EqualTo(unwatched.Value!.Wav.ToArray()), "the same recording with or without a reporter");
    }

    [Test]
    public void Invalid_options_are_named_in_one_message()
    {
        var options = new ArecordAudioRecorderOptions { Command = "", SampleRate = 100 };
        Assert.That(() => new ArecordAudioRecorder("microphone", options, TimeProvider.System), Throws.ArgumentException.With.Message.Contains("Command").And.Message.Contains("SampleRate"));
    }

    private static async Task<(DeviceResult<AudioClip> Result, DeviceStatus Status)> RecordAsync(ArecordAudioRecorderOptions options, AudioRecordRequest request)
    {
        await using var recorder = new ArecordAudioRecorder("microphone", options, new FakeTimeProvider());
        var opened = await recorder.OpenAsync(CancellationToken.None);
        Assert.That(opened.Code, Is.EqualTo(CompletionCode.Success), opened.ToString());
        using var claim = (await recorder.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var result = await recorder.RecordAsync(claim, request, CancellationToken.None).WaitAsync(RealIo.Bound);
        return (result, recorder.Status);
    }
}
