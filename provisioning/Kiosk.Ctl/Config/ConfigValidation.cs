using Kiosk.Agent.Configuration;
using Kiosk.Devices;

namespace Kiosk.Ctl.Config;

/// <summary>What the agent would say about a configuration on start, plus the keys it would silently ignore.</summary>
/// <param name="Problems">Why the agent would refuse to start; each names the key and the fix.</param>
/// <param name="Notes">Keys the agent does not read (a typo, or a section it does not know): harmless but without effect.</param>
internal sealed record ConfigVerdict(IReadOnlyList<string> Problems, IReadOnlyList<string> Notes, KioskConfigurationReport Report)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>Validation shared by <c>config validate</c> and <c>config set</c>: the agent's own binding and validators.</summary>
internal static class ConfigValidation
{
    /// <summary>The top-level sections of the agent's configuration file.</summary>
    public static readonly IReadOnlyList<string> Sections = ["Kiosk", "Logging"];

    /// <summary>
    /// The agent resolves relative paths (Kiosk:DataFolder, test data, TLS files under the data folder) against its
    /// working directory; kioskctl checks against its own, so run it from the agent's working directory.
    /// </summary>
    public static string ContentRoot => Directory.GetCurrentDirectory();

    public static ConfigVerdict Validate(IReadOnlyDictionary<string, string?> settings)
    {
        var report = KioskConfigurationCheck.Check(settings, ContentRoot, RealDrivers.All);
        var notes = new List<string>();
        foreach (var key in report.UnreadKeys)
        {
            var section = key.Split(':')[0];
            if (string.Equals(section, "Logging", StringComparison.OrdinalIgnoreCase))
            {
                continue; // the host's logging reads this section; its keys are category names, any is fine
            }

            if (!string.Equals(section, "Kiosk", StringComparison.OrdinalIgnoreCase))
            {
                notes.Add($"{key} is outside the sections the agent reads ({string.Join(", ", Sections)}): it has no effect; remove it.");
                continue;
            }

            var suggestion = Closest(key, report.ReadKeys);
            notes.Add(suggestion is null
                ? $"{key} is not a key the agent reads, so it has no effect: check its spelling against the README's configuration table."
                : $"{key} is not a key the agent reads, so it has no effect: did you mean {suggestion}?");
        }

        return new ConfigVerdict(report.Problems, notes, report);
    }

    /// <summary>The known key nearest to a misspelt one: same section first, then anywhere; null when nothing is close.</summary>
    public static string? Closest(string key, IReadOnlyList<string> known)
    {
        var cut = key.LastIndexOf(':');
        var parent = cut < 0 ? "" : key[..cut];
        var name = key[(cut + 1)..];
        var siblings = known
            .Where(k => k.LastIndexOf(':') is var i && i >= 0 && string.Equals(k[..i], parent, StringComparison.OrdinalIgnoreCase))
            .Select(k => (Key: k, Distance: Distance(name, k[(k.LastIndexOf(':') + 1)..])))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 3))
            .OrderBy(c => c.Distance)
            .Select(c => c.Key)
            .FirstOrDefault();
        return siblings ?? known
            .Select(k => (Key: k, Distance: Distance(key, k)))
            .Where(c => c.Distance <= 2)
            .OrderBy(c => c.Distance)
            .Select(c => c.Key)
            .FirstOrDefault();
    }

    /// <summary>Levenshtein distance, ignoring case.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
