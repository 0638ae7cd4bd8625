using Kiosk.Devices.Audio;
using Kiosk.TestSupport;

namespace Kiosk.Drivers.Audio.Tests.Recording;

/// <summary>What the recorder tests feed arecord's place with: sox converting a WAV to raw 16 kHz mono PCM on stdout.</summary>
internal static class RecorderStandIn
{
    public const string Raw = "-t raw -r 16000 -e signed -b 16 -c 1 -";

    public static string Speech => RepositoryPaths.TestDataFile("speech.wav");

    /// <summary>Five seconds of digital silence, as a quiet room through a muted microphone.</summary>
    public const string Silence = $"exec sox -n {Raw} trim 0 5";

    /// <summary>arecord's own message when the -D name or the card is not there.</summary>
    public const string Unplugged = "echo 'arecord: main:831: audio open error: No such file or directory' >&2; exit 1";

    public const string HardwareError = "echo 'arecord: pcm_read:2221: read error: Input/output error' >&2; exit 1";

    /// <summary>Delivers two seconds (speech starts at one) and is then killed by a signal.</summary>
    public const string KilledMidRecord = $"sox \"$1\" {Raw} trim 0 2; kill -KILL $$";

    public const string Hang = "exec sleep 600";

    public static ArecordAudioRecorderOptions Options(StandIn standIn) => new()
    {
        Command = "sh",
        Arguments = standIn.Arguments($"exec sox \"$1\" {Raw}", Speech),
    };
}
