using CsCheck;
using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Processing;

/// <summary>WavFile's write/read round trip over generated audio (CsCheck): format kept, every sample within one 16-bit step.</summary>
public sealed class WavRoundTripPropertyTests
{
    [Test]
    public void Every_clip_survives_write_and_read_to_within_one_16_bit_step()
    {
        var clips = from rate in Gen.OneOf(8000, 16000, 22050, 44100, 48000)
                    from channels in Gen.Int[1, 2]
                    from frames in Gen.Int[0, 2000]
                    from samples in Gen.Float[-1f, 1f].Array[frames * channels]
                    select new AudioSamples(samples, rate, channels);
        clips.Sample(clip =>
        {
            Assert.That(WavFile.TryRead(WavFile.WritePcm16(clip), out var read, out var error), Is.True, error);

            Assert.That((read!.SampleRate, read.Channels, read.Samples.Length), Is.EqualTo((clip.SampleRate, clip.Channels, clip.Samples.Length)));
            var written = clip.Samples.ToArray();
            var back = read.Samples.ToArray();
            for (var i = 0; i < written.Length; i++)
            {
                Assert.That(back[i], Is.EqualTo(written[i]).Within(1.0 / 32768), $"sample {i}");
            }
        }, iter: 100, threads: 1);
    }
}
