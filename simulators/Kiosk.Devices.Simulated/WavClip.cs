using System.Buffers.Binary;

namespace Kiosk.Devices.Simulated;

/// <summary>
/// The parts of a RIFF/WAVE file a simulator needs: the 'fmt ' and 'data' chunks of 16-bit PCM,
/// and how much of it is speech by a frame-energy threshold.
/// </summary>
internal sealed record WavClip(int SampleRate, int Channels, int BitsPerSample, int DataOffset, int DataLength)
{
    /// <summary>Frames of 20 ms, the usual unit of voice activity detection.</summary>
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    public TimeSpan Duration => TimeSpan.FromSeconds(DataLength / (double)(SampleRate * Channels * (BitsPerSample / 8)));

    public static WavClip? TryParse(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            return null;
        }

        int? rate = null, channels = null, bits = null;
        var at = 12;
        while (at + 8 <= wav.Length)
        {
            var id = wav.Slice(at, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(wav[(at + 4)..]);
            var body = at + 8;
            if (size < 0 || body + size > wav.Length)
            {
                return null;
            }

            if (id.SequenceEqual("fmt "u8) && size >= 16)
            {
                var format = BinaryPrimitives.ReadUInt16LittleEndian(wav[body..]);
                if (format != 1)
                {
                    return null; // only PCM
                }

                channels = BinaryPrimitives.ReadUInt16LittleEndian(wav[(body + 2)..]);
                rate = BinaryPrimitives.ReadInt32LittleEndian(wav[(body + 4)..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(wav[(body + 14)..]);
            }
            else if (id.SequenceEqual("data"u8))
            {
                return rate is > 0 && channels is > 0 && bits == 16 ? new WavClip(rate.Value, channels.Value, bits.Value, body, size) : null;
            }

            at = body + size + (size & 1); // chunks are padded to an even length
        }

        return null;
    }

    /// <summary>
    /// Speech time: 20 ms frames whose RMS is above a tenth of the loudest frame's and above an absolute
    /// floor of -50 dBFS (about 100 of 32768) count as speech.
    /// </summary>
    public TimeSpan MeasureSpeech(ReadOnlySpan<byte> wav)
    {
        var energies = FrameRms(wav);
        var threshold = SpeechThreshold(energies);
        return Frame * energies.Count(e => e > threshold);
    }

    /// <summary>
    /// What a microphone's level meter shows while the clip is heard: one <see cref="AudioLevel"/> per
    /// <see cref="AudioLevel.Interval"/> (five 20 ms frames), the interval's RMS on the meter's scale, speech when one of its
    /// frames counts as speech (<see cref="MeasureSpeech"/>). A partial interval at the end is left out.
    /// </summary>
    public IReadOnlyList<AudioLevel> MeasureLevels(ReadOnlySpan<byte> wav)
    {
        var energies = FrameRms(wav);
        var threshold = SpeechThreshold(energies);
        var perInterval = (int)(AudioLevel.Interval / Frame);
        var levels = new AudioLevel[energies.Length / perInterval];
        for (var i = 0; i < levels.Length; i++)
        {
            var frames = energies.AsSpan(i * perInterval, perInterval);
            double power = 0;
            var speech = false;
            foreach (var rms in frames)
            {
                power += rms * rms;
                speech |= rms > threshold;
            }

            var intervalRms = Math.Sqrt(power / perInterval) / 32768;
            var dbfs = intervalRms <= 0 ? double.NegativeInfinity : 20 * Math.Log10(intervalRms);
            levels[i] = new AudioLevel(AudioLevel.Interval * (i + 1), AudioLevel.FromDbfs(dbfs), speech);
        }

        return levels;
    }

    private static double SpeechThreshold(double[] energies) => Math.Max(100, (energies.Length == 0 ? 0 : energies.Max()) / 10);

    /// <summary>RMS of each whole 20 ms frame, in 16-bit sample units.</summary>
    private double[] FrameRms(ReadOnlySpan<byte> wav)
    {
        var samplesPerFrame = (int)(SampleRate * Frame.TotalSeconds) * Channels;
        var data = wav.Slice(DataOffset, DataLength);
        var frames = data.Length / 2 / samplesPerFrame;
        var energies = new double[frames];
        for (var f = 0; f < frames; f++)
        {
            double sum = 0;
            for (var s = 0; s < samplesPerFrame; s++)
            {
                double sample = BinaryPrimitives.ReadInt16LittleEndian(data[(((f * samplesPerFrame) + s) * 2)..]);
                sum += sample * sample;
            }

            energies[f] = Math.Sqrt(sum / samplesPerFrame);
        }

        return energies;
    }
}
