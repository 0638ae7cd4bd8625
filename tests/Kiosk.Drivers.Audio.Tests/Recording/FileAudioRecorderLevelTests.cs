using Kiosk.Devices;
using Kiosk.Devices.Audio;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Kiosk.Drivers.Audio.Tests.Recording;

/// <summary>The levels <see cref="FileAudioRecorder"/> reports while it "hears" a generated WAV.</summary>
public sealed class FileAudioRecorderLevelTests
{
    private static readonly AudioRecordRequest Request = new() { MaxDuration = TimeSpan.FromSeconds(60) };

    private TempFolder _folder = null!;
    private string _path = null!;
    private FakeTimeProvider _time = null!;

    [SetUp]
    public void WriteFile()
    {
        _folder = new TempFolder("kiosk-audio-levels");
        _path = _folder.File("loudness.wav");
        File.WriteAllBytes(_path, Loudness.Wav());
        _time = new FakeTimeProvider();
    }

    [TearDown]
    public void DeleteFile() => _folder.Dispose();

    [Test]
    public async Task Levels_rise_with_the_noise_and_the_clip_is_the_same_as_without_a_reporter()
    {
        await using var recorder = await OpenAsync(realTime: false);
        var levels = new Reported<AudioLevel>();

        var watched = await RecordAsync(recorder, Request with { Levels = levels });
        var unwatched = await RecordAsync(recorder, Request);

        Loudness.AssertRisesWithTheNoise(levels.Items);
        Assert.That(levels.Items.Select(l => l.Elapsed), Is.Ordered.Ascending.And.Unique);
        Assert.That(levels.Items[^1].Elapsed, Is.EqualTo(TimeSpan.FromSeconds(3.5)), "every 100 ms of the 3.5 s heard");
        Assert.That(watched.Wav.ToArray(), Is.EqualTo(unwatched.Wav.ToArray()));
        Assert.That((watched.Duration, watched.Speech), Is.EqualTo((unwatched.Duration, unwatched.Speech)));
    }

    [Test]
    public async Task In_real_time_each_level_comes_when_the_clock_reaches_it()
    {
        await using var recorder = await OpenAsync(realTime: true);
        var levels = new Reported<AudioLevel>();
        using var claim = (await recorder.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;

        var recording = recorder.RecordAsync(claim, Request with { Levels = levels }, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(1050));

        Assert.That(levels.Items.Select(l => l.Elapsed), Is.EqualTo(Enumerable.Range(1, 10).Select(i => TimeSpan.FromMilliseconds(100 * i))), "a second heard, a second of levels");
        Assert.That(recording.IsCompleted, Is.False);
        for (var i = 0; i < 100 && !recording.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
        }

        var clip = await recording.WaitAsync(RealIo.Bound);
        Assert.That(clip.Code, Is.EqualTo(CompletionCode.Success), clip.ToString());
        Assert.That(levels.Items, Has.Count.EqualTo(35), "and the rest by the end");
        Loudness.AssertRisesWithTheNoise(levels.Items);
    }

    [Test]
    public async Task Im_done_in_real_time_stops_the_wait_and_returns_the_clip()
    {
        await using var recorder = await OpenAsync(realTime: true);
        using var claim = (await recorder.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        using var finish = new CancellationTokenSource();

        var recording = recorder.RecordAsync(claim, Request with { Finish = finish.Token }, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(recording.IsCompleted, Is.False, "still listening");

        // No more time passes on the clock: only "I'm done" can end it.
        await finish.CancelAsync();
        var clip = await recording.WaitAsync(RealIo.Bound);
        Assert.That(clip.Code, Is.EqualTo(CompletionCode.Success), clip.ToString());
    }

    private async Task<FileAudioRecorder> OpenAsync(bool realTime)
    {
        var recorder = new FileAudioRecorder("microphone", new FileAudioRecorderOptions { Path = _path, RealTime = realTime }, _time);
        Assert.That((await recorder.OpenAsync(CancellationToken.None)).IsSuccess, Is.True);
        return recorder;
    }

    private static async Task<AudioClip> RecordAsync(FileAudioRecorder recorder, AudioRecordRequest request)
    {
        using var claim = (await recorder.ClaimAsync("session", TimeSpan.FromSeconds(1), CancellationToken.None)).Value!;
        var result = await recorder.RecordAsync(claim, request, CancellationToken.None).WaitAsync(RealIo.Bound);
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
        return result.Value!;
    }
}
