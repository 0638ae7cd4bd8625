using NAudio.Wave;

namespace Kiosk.Devices.Audio;

/// <summary>RIFF/WAVE reading and writing through NAudio's <see cref="WaveFileReader"/> and <see cref="WaveFileWriter"/>.</summary>
public static class WavFile
{
    /// <summary>Writes 16-bit PCM WAV (the format the HAL's <see cref="AudioClip"/> carries); samples are clipped to [-1, 1].</summary>
    public static byte[] WritePcm16(AudioSamples audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        using var stream = new MemoryStream();
        using (var writer = new WaveFileWriter(stream, new WaveFormat(audio.SampleRate, 16, audio.Channels)))
        {
            var span = audio.Samples.Span;
            var buffer = new byte[Math.Min(span.Length, 8192) * 2];
            for (var at = 0; at < span.Length; at += buffer.Length / 2)
            {
                var count = Math.Min(buffer.Length / 2, span.Length - at);
                for (var i = 0; i < count; i++)
                {
                    var value = (short)Math.Round(Math.Clamp(span[at + i], -1f, 32767f / 32768f) * 32768f);
                    buffer[i * 2] = (byte)value;
                    buffer[(i * 2) + 1] = (byte)(value >> 8);
                }

                writer.Write(buffer.AsSpan(0, count * 2));
            }
        }

        // The writer closes the stream when disposed (that is when it fills in the RIFF sizes); ToArray works on a closed MemoryStream.
        return stream.ToArray();
    }

    /// <summary>Reads any WAV that NAudio can turn into samples (8/16/24/32-bit PCM, IEEE float).</summary>
    /// <returns>False with a reason when the bytes are not a WAV file NAudio can read.</returns>
    public static bool TryRead(ReadOnlyMemory<byte> wav, out AudioSamples? audio, out string error)
    {
        audio = null;
        try
        {
            using var stream = new MemoryStream(wav.ToArray(), writable: false);
            using var reader = new WaveFileReader(stream);
            var provider = reader.ToSampleProvider();
            var format = provider.WaveFormat;
            var samples = new List<float>((int)Math.Min(int.MaxValue / 2, reader.SampleCount * format.Channels));
            var buffer = new float[8192 - (8192 % format.Channels)];
            int read;
            while ((read = provider.Read(buffer)) > 0)
            {
                samples.AddRange(buffer.AsSpan(0, read));
            }

            audio = new AudioSamples(samples.ToArray(), format.SampleRate, format.Channels);
            error = "";
            return true;
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException or EndOfStreamException or IOException)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Reads a WAV file from disk; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static AudioSamples Read(string path) =>
        TryRead(File.ReadAllBytes(path), out var audio, out var error) ? audio! : throw new InvalidDataException($"{path}: {error}");
}
