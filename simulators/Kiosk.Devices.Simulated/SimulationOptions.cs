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

    /// <summary>
    /// How long the signature pad's writing and the microphone's speech take, on top of the operation delay, on the injected
    /// <see cref="TimeProvider"/>: the pen samples and the levels a capture reports live (for the screen) are played out over
    /// this time, whether or not anybody listens. Zero (default): they are reported at once and the capture takes only the
    /// operation delay. A screen that should be watched echoing them (the screen tests, a demo) sets a few seconds.
    /// </summary>
    public TimeSpan LiveCaptureDuration { get; set; }

    /// <summary>
    /// The simulated person at the microphone goes on speaking (the clip's levels again and again, over
    /// <see cref="LiveCaptureDuration"/> each time) until they press "I'm done" or the request's limit is reached, instead of
    /// pausing after one playing. For a screen test that watches a recording and ends it itself, however slowly the browser
    /// gets there. Needs a live capture duration.
    /// </summary>
    public bool SpeakUntilFinished { get; set; }

    /// <summary>Longest <see cref="LiveCaptureDuration"/>: a simulated capture longer than a minute would only stall a step.</summary>
    public static readonly TimeSpan MaxLiveCaptureDuration = TimeSpan.FromMinutes(1);

    /// <summary>Every invalid setting, each naming its key relative to the section.</summary>
    public IEnumerable<string> Problems()
    {
        if (OperationDelay < TimeSpan.Zero)
        {
            yield return $"{nameof(OperationDelay)} must not be negative (is {OperationDelay})";
        }

        if (LiveCaptureDuration < TimeSpan.Zero || LiveCaptureDuration > MaxLiveCaptureDuration)
        {
            yield return $"{nameof(LiveCaptureDuration)} must be between 00:00:00 and {MaxLiveCaptureDuration:c} (is {LiveCaptureDuration})";
        }

        if (SpeakUntilFinished && LiveCaptureDuration <= TimeSpan.Zero)
        {
            yield return $"{nameof(SpeakUntilFinished)} needs a {nameof(LiveCaptureDuration)} above zero (set one, e.g. 00:00:03, or set {nameof(SpeakUntilFinished)} to false)";
        }
    }
}
