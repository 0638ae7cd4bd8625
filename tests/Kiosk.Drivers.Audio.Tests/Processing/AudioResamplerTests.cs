using System.Diagnostics;
using Kiosk.Devices.Audio;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Audio.Tests.Processing;

public sealed class AudioResamplerTests
{
    [Test]
    public void A_44_1_khz_stereo_sine_becomes_16_khz_mono_of_the_same_duration_and_level()
    {
        var stereo = Signals.Sine(440, 0.5, TimeSpan.FromSeconds(1.5), 44100, 2);

        var speech = AudioResampler.ToSpeechFormat(stereo);

        Assert.That((speech.SampleRate, speech.Channels), Is.EqualTo((16000, 1)));
        Assert.That(speech.Duration, Is.EqualTo(stereo.Duration).Within(TimeSpan.FromMilliseconds(1)));
        var middle = new AudioSamples(speech.Samples[4000..20000], 16000, 1);
        Assert.That(LevelMeter.Measure(middle, TimeSpan.FromSeconds(0.5))[0].RmsDbfs, Is.EqualTo(-9.03).Within(0.5));
    }

    [Test]
    public void A_44_1_khz_stereo_file_made_by_sox_keeps_its_duration()
    {
        using var folder = new TempFolder("kiosk-audio");
        var path = folder.File("stereo.wav");
        using (var sox = Process.Start("sox", ["-n", "-r", "44100", "-c", "2", "-b", "16", path, "synth", "2.5", "sine", "300"]))
        {
            sox.WaitForExit();
            Assert.That(sox.ExitCode, Is.Zero);
        }

        var file = WavFile.Read(path);
        var speech = AudioResampler.ToSpeechFormat(file);

        Assert.That((file.SampleRate, file.Channels), Is.EqualTo((44100, 2)));
        Assert.That(speech.Frames, Is.EqualTo(40000));
    }

    [Test]
    public void Mono_averages_the_channels()
    {
        var stereo = new AudioSamples(new[] { 0.5f, 0.1f, -0.2f, 0.2f }, 8000, 2);
        Assert.That(AudioResampler.ToMono(stereo).Samples.ToArray(), Is.EqualTo(new[] { 0.3f, 0f }).Within(1e-6));
    }
}
