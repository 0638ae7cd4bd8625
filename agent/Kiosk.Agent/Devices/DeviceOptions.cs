namespace Kiosk.Agent.Devices;

/// <summary>
/// Configuration section <c>Kiosk:Devices</c>: which implementation backs each device class.
/// Today every class has a <c>Simulated</c> implementation; real drivers add their names here.
/// </summary>
public sealed class DeviceOptions
{
    public static readonly IReadOnlyList<string> KnownDrivers = ["Simulated"];

    public string FaceCamera { get; set; } = "Simulated";
    public string DocumentCamera { get; set; } = "Simulated";
    public string DocumentScanner { get; set; } = "Simulated";
    public string SignaturePad { get; set; } = "Simulated";
    public string FingerprintReader { get; set; } = "Simulated";
    public string IdCardReader { get; set; } = "Simulated";
    public string AudioRecorder { get; set; } = "Simulated";
    public string AudioPlayer { get; set; } = "Simulated";
    public string Indicators { get; set; } = "Simulated";
    public string Sensors { get; set; } = "Simulated";

    /// <summary>Settings of the simulated devices (<c>Kiosk:Devices:Simulation</c>).</summary>
    public SimulationSettings Simulation { get; set; } = new();

    public IEnumerable<(string Key, string Driver)> Slots()
    {
        yield return (nameof(FaceCamera), FaceCamera);
        yield return (nameof(DocumentCamera), DocumentCamera);
        yield return (nameof(DocumentScanner), DocumentScanner);
        yield return (nameof(SignaturePad), SignaturePad);
        yield return (nameof(FingerprintReader), FingerprintReader);
        yield return (nameof(IdCardReader), IdCardReader);
        yield return (nameof(AudioRecorder), AudioRecorder);
        yield return (nameof(AudioPlayer), AudioPlayer);
        yield return (nameof(Indicators), Indicators);
        yield return (nameof(Sensors), Sensors);
    }
}

public sealed class SimulationSettings
{
    public int Seed { get; set; } = 1;

    /// <summary>Photographs, pages and speech for the simulators; made by tests/data/fetch-test-data.sh.</summary>
    public string DataFolder { get; set; } = ".cache/test-data";

    public TimeSpan OperationDelay { get; set; } = TimeSpan.FromMilliseconds(30);
}
