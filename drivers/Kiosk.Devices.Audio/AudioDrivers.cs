using Kiosk.Devices.Drivers;

namespace Kiosk.Devices.Audio;

/// <summary>
/// The microphone's and speaker's drivers: <c>Kiosk:Devices:AudioRecorder=Arecord</c> and <c>Kiosk:Devices:AudioPlayer=Aplay</c>
/// (ALSA through alsa-utils), and <c>Kiosk:Devices:AudioRecorder=File</c>, a WAV file played as the microphone: a
/// stand-in for demos and benchmarks, which the production profile refuses.
/// </summary>
public static class AudioDrivers
{
    public static DriverDescriptor Arecord { get; } = new Driver<ArecordAudioRecorderOptions>(DeviceClass.AudioRecorder, "Arecord", ["Arecord"])
    {
        Read = s => s.Bind<ArecordAudioRecorderOptions>("Arecord"),
        Validate = o => o.Validate() is { } problem ? [problem] : [],
        Create = (o, context) => new ArecordAudioRecorder(context.DeviceName, o, context.TimeProvider),
        Location = o => o.Command == "arecord" ? $"ALSA {o.Device}" : $"{o.Command} (in place of arecord)",
        DeviceNodes = _ => ["/dev/snd"],
        Fix = (o, _) => $"check the microphone is plugged in and Kiosk:Devices:Arecord:Device names it ('kioskctl probe' lists audio devices: hw:CARD,DEVICE with capture), and that {o.Command} is installed (alsa-utils)",
    };

    public static DriverDescriptor Aplay { get; } = new Driver<AplayAudioPlayerOptions>(DeviceClass.AudioPlayer, "Aplay", ["Aplay"])
    {
        Read = s => s.Bind<AplayAudioPlayerOptions>("Aplay"),
        Validate = o => o.Validate() is { } problem ? [problem] : [],
        Create = (o, context) => new AplayAudioPlayer(context.DeviceName, o, context.TimeProvider),
        Location = o => o.Command == "aplay" ? $"ALSA {o.Device}" : $"{o.Command} (in place of aplay)",
        DeviceNodes = _ => ["/dev/snd"],
        Fix = (o, _) => $"check the speaker is plugged in and Kiosk:Devices:Aplay:Device names it ('kioskctl probe' lists audio devices: a device with playback), and that {o.Command} is installed (alsa-utils)",
    };

    public static DriverDescriptor File { get; } = new Driver<FileAudioRecorderOptions>(DeviceClass.AudioRecorder, "File", ["File"], isSimulated: true)
    {
        Read = s => s.Bind<FileAudioRecorderOptions>("File"),
        Validate = o => System.IO.File.Exists(o.Path) ? [] : [$"Kiosk:Devices:File:Path '{o.Path}' does not exist: point it at a 16-bit WAV recording."],
        Create = (o, context) => new FileAudioRecorder(context.DeviceName, o, context.TimeProvider),
        Location = o => o.Path,
        Fix = (_, _) => "point Kiosk:Devices:File:Path at a readable 16-bit WAV file",
    };
}
