namespace Kiosk.Devices.Audio;

/// <summary>Reads what arecord/aplay print on stderr when they fail.</summary>
internal static class AlsaErrors
{
    /// <summary>
    /// What alsa-utils print when the card or PCM is not there: "audio open error: No such file or directory"
    /// (no card or unknown -D name), "No such device" (USB device unplugged), "no soundcards found" (arecord -l).
    /// </summary>
    private static readonly string[] DeviceMissing =
    [
        "audio open error",
        "No such file or directory",
        "No such device",
        "no soundcards found",
        "Unknown PCM",
    ];

    public static bool IsDeviceMissing(string standardError) =>
        DeviceMissing.Any(marker => standardError.Contains(marker, StringComparison.OrdinalIgnoreCase));

    /// <summary>The last line of stderr, the one alsa-utils put the reason on (the lines before are ALSA lib noise).</summary>
    public static string LastLine(string standardError)
    {
        var lines = standardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(nothing on stderr)" : lines[^1];
    }
}
