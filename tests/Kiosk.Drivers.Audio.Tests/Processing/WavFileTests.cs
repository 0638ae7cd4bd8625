using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Processing;

public sealed class WavFileTests
{
    [Test]
    public void A_written_wav_reads_back_with_the_same_format_and_samples()
    {
        var sine = Signals.Sine(440, 0.5, TimeSpan.FromSeconds(0.5), 22050, 2);
        var wav = WavFile.WritePcm16(sine);

        Assert.That(WavFile.TryRead(wav, out var back, out var error), Is.True, error);
        Assert.That((back!.SampleRate, back.Channels, back.Frames), Is.EqualTo((22050, 2, sine.Frames)));
        var worst = 0.0;
        for (var i = 0; i < sine.Samples.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(sine.Samples.Span[i] - back.Samples.Span[i]));
        }

        Assert.That(worst, Is.LessThanOrEqualTo(1.0 / 32768), "16-bit quantisation is the only loss");
        Assert.That(wav.Length, Is.EqualTo(44 + (sine.Samples.Length * 2)), "canonical 44-byte header");
    }

    [Test]
    public void Speech_wav_reads_as_16_khz_mono()
    {
        var speech = WavFile.Read(Recording.RecorderStandIn.Speech);
        Assert.That((speech.SampleRate, speech.Channels), Is.EqualTo((16000, 1)));
        Assert.That(speech.Duration.TotalSeconds, Is.EqualTo(11.83).Within(0.01));
    }

    [Test]
    public void Bytes_that_are_not_wav_do_not_read()
    {
        Assert.That(WavFile.TryRead(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 }, out var audio, out var error), Is.False);
        Assert.That(audio, Is.Null);
        Assert.That(error, Is.Not.Empty);
    }

    [Test]
    public void Samples_beyond_full_scale_are_clipped_not_wrapped()
    {
        var loud = new AudioSamples(new[] { 1.5f, -1.5f }, 16000, 1);
        WavFile.TryRead(WavFile.WritePcm16(loud), out var back, out _);
        Assert.That(back!.Samples.ToArray(), Is.EqualTo(new[] { 32767f / 32768f, -1f }));
    }
}
