using Kiosk.Devices;
using Kiosk.Devices.Audio;
using Kiosk.Devices.Tests.Contracts;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Audio.Tests.Recording;

/// <summary>The HAL microphone contract against <see cref="FileAudioRecorder"/> reading speech.wav (or silence, or garbage).</summary>
[TestFixture]
public sealed class FileAudioRecorderTests : AudioRecorderContract<FileAudioRecorder>
{
    private TempFolder _folder = null!;
    private FileAudioRecorderOptions _options = null!;

    protected override TimeSpan OperationTimeout => Request.MaxDuration + TimeSpan.FromSeconds(10);

    [OneTimeSetUp]
    public void CreateFolder() => _folder = new TempFolder("kiosk-audio");

    [OneTimeTearDown]
    public void DeleteFolder() => _folder.Dispose();

    protected override FileAudioRecorder CreateDevice(TimeProvider timeProvider)
    {
        _options = new FileAudioRecorderOptions { Path = RecorderStandIn.Speech };
        return new FileAudioRecorder("microphone", _options, timeProvider);
    }

    protected override bool ArrangeUnplugged()
    {
        _options.Path = _folder.File("gone.wav");
        return true;
    }

    protected override bool ArrangeSlow() => false;

    protected override bool ArrangeTimeout() => false;

    protected override bool ArrangeGarbage()
    {
        _options.Path = _folder.File("garbage.wav");
        File.WriteAllBytes(_options.Path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
        return true;
    }

    protected override bool ArrangeHardwareError() => false;

    protected override bool ArrangeSilence()
    {
        _options.Path = _folder.File("silence.wav");
        File.WriteAllBytes(_options.Path, WavFile.WritePcm16(new AudioSamples(new float[48000], 16000, 1)));
        return true;
    }

    /// <summary>
    /// Drives the fake clock like the base, then waits for the last continuation: the delay's continuation may be
    /// queued to the thread pool after the clock has moved, so the task can still be finishing when the loop ends.
    /// </summary>
    protected override async Task<T> DriveAsync<T>(Task<T> task)
    {
        var budget = OperationTimeout + TimeSpan.FromSeconds(10);
        for (var elapsed = TimeSpan.Zero; !task.IsCompleted && elapsed <= budget; elapsed += TimeSpan.FromMilliseconds(50))
        {
            Time.Advance(TimeSpan.FromMilliseconds(50));
        }

        return await task.WaitAsync(RealIo.Bound);
    }

    [Test]
    public async Task A_44_1_khz_stereo_file_is_recorded_as_16_khz_mono()
    {
        var speech = WavFile.Read(RecorderStandIn.Speech);
        _options.Path = _folder.File("stereo.wav");
        var stereo = AudioResampler.Resample(new AudioSamples(speech.Samples.ToArray().SelectMany(s => new[] { s, s }).ToArray(), 16000, 2), 44100);
        File.WriteAllBytes(_options.Path, WavFile.WritePcm16(stereo));

        var clip = await SuccessOfAsync(c => Device.RecordAsync(c, Request, CancellationToken.None));

        Assert.That((clip.SampleRate, clip.Channels), Is.EqualTo((16000, 1)));
        Assert.That(clip.Speech.TotalSeconds, Is.InRange(7.0, 9.0));
    }
}
