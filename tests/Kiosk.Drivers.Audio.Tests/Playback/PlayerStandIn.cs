using Kiosk.Devices.Audio;

namespace Kiosk.Drivers.Audio.Tests.Playback;

/// <summary>What the player tests put in aplay's place: a shell that swallows the WAV from stdin, with aplay's failure messages.</summary>
internal static class PlayerStandIn
{
    public const string Swallow = "exec cat > /dev/null";

    public const string Unplugged = "echo 'aplay: main:831: audio open error: No such file or directory' >&2; exit 1";

    public const string HardwareError = "cat > /dev/null; echo 'aplay: pcm_write:2127: write error: Input/output error' >&2; exit 1";

    /// <summary>Never reads and never exits, as aplay stuck on a device that does not consume samples.</summary>
    public const string Hang = "exec sleep 600";

    /// <summary>Writes what it got to received.wav, so a test can see the bytes arrived whole.</summary>
    public const string Keep = "exec cat > \"$1\"";

    public static AplayAudioPlayerOptions Options(StandIn standIn, string normal = Swallow) => new()
    {
        Command = "sh",
        Arguments = standIn.Arguments(normal, standIn.File("received.wav")),
        PromptFolder = standIn.Folder,
    };

    /// <summary>Writes the prompt "welcome" (0.3 s of a 440 Hz tone) into the stand-in's prompt folder.</summary>
    public static void WriteWelcome(StandIn standIn)
    {
        var samples = new float[4800];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (float)(0.2 * Math.Sin(2 * Math.PI * 440 * i / 16000));
        }

        File.WriteAllBytes(standIn.File("welcome.wav"), WavFile.WritePcm16(new AudioSamples(samples, 16000, 1)));
    }
}
