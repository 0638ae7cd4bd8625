namespace Kiosk.Devices.Simulated;

/// <summary>Settings shared by every simulated device; bound from configuration by the agent and the demo.</summary>
public sealed class SimulationOptions
{
    /// <summary>Seed of everything generated (quality scores, signatures, fingerprints, serial numbers). Same seed, same bytes.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Folder with the test-data files made by tests/data/fetch-test-data.sh (astronaut.png, page.png, speech.wav...).</summary>
    public string DataFolder { get; set; } = "";

    /// <summary>How long an ordinary operation takes, measured on the injected <see cref="TimeProvider"/>.</summary>
    public TimeSpan OperationDelay { get; set; } = TimeSpan.FromMilliseconds(30);
}
