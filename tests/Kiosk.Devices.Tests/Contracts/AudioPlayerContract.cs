using NUnit.Framework;

namespace Kiosk.Devices.Tests.Contracts;

/// <summary>The speaker contract: named prompts and WAV bytes play; bytes that are not WAV are invalid data.</summary>
public abstract class AudioPlayerContract<TDevice> : DeviceContract<TDevice>
    where TDevice : class, IAudioPlayer
{
    protected static readonly AudioPrompt Prompt = new("welcome");

    protected override TimeSpan OperationTimeout => Prompt.Timeout;

    protected override Task<DeviceResult<Done>> OperateAsync(TDevice device, DeviceClaim claim, CancellationToken cancellationToken) =>
        device.PlayAsync(claim, Prompt, cancellationToken);

    [Test]
    public async Task Wav_bytes_play()
    {
        var prompt = new AudioPrompt("beep") { Wav = SilentWav(TimeSpan.FromSeconds(1)) };
        var result = await RunAsync(c => Device.PlayAsync(c, prompt, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.Success), result.ToString());
    }

    [Test]
    public async Task Bytes_that_are_not_wav_are_invalid_data()
    {
        var prompt = new AudioPrompt("broken") { Wav = new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 } };
        var result = await RunAsync(c => Device.PlayAsync(c, prompt, CancellationToken.None));
        Assert.That(result.Code, Is.EqualTo(CompletionCode.InvalidData), result.ToString());
    }

    /// <summary>A 16 kHz mono 16-bit PCM WAV of silence.</summary>
    protected static byte[] SilentWav(TimeSpan duration)
    {
        var dataLength = (int)(duration.TotalSeconds * 16000) * 2;
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.ASCII, leaveOpen: true))
        {
            writer.Write("RIFF"u8);
            writer.Write(36 + dataLength);
            writer.Write("WAVEfmt "u8);
            writer.Write(16);
            writer.Write((short)1);
            writer.Write((short)1);
            writer.Write(16000);
            writer.Write(32000);
            writer.Write((short)2);
            writer.Write((short)16);
            writer.Write("data"u8);
            writer.Write(dataLength);
            writer.Write(new byte[dataLength]);
        }

        return stream.ToArray();
    }
}
