using System.Text.Json.Nodes;
using Kiosk.Devices.Drivers;

namespace Kiosk.Agent.Configuration.Editing;

/// <summary>What the agent would say about a configuration on start, plus the keys it would silently ignore.</summary>
/// <param name="Problems">Why the agent would refuse to start; each names the key and the fix.</param>
/// <param name="Notes">Keys the agent does not read (a typo, or a section it does not know): harmless but without effect.</param>
public sealed record KioskConfigVerdict(IReadOnlyList<string> Problems, IReadOnlyList<string> Notes, KioskConfigurationReport Report)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>One key to change: a value (as text, typed as <c>kioskctl config set</c> types it), or null to remove the key.</summary>
public sealed record KioskConfigEditRequest(string Key, string? Value);

/// <summary>One key a plan changes, as written in the file (its spelling), with its old and new value as a person reads them (secrets redacted).</summary>
public sealed record KioskConfigChange(string Key, string OldText, string NewText);

public enum KioskConfigEditOutcome
{
    /// <summary>The new file is in <see cref="KioskConfigEditPlan.Bytes"/>.</summary>
    Changed,

    /// <summary>Every key already has its value: nothing to write.</summary>
    Unchanged,

    /// <summary>A key cannot be written (not a key the agent reads, not a section, runs into a value): <see cref="KioskConfigEditPlan.Message"/> names it and the fix.</summary>
    KeyRefused,

    /// <summary>With the change the agent would not start: <see cref="KioskConfigEditPlan.Introduced"/> lists why.</summary>
    WouldNotStart,

    /// <summary>The rewritten file would not read back (<see cref="KioskConfigEditPlan.Message"/>).</summary>
    Unreadable,
}

/// <summary>The result of <see cref="KioskConfigEditor.Plan"/>: nothing is written by planning.</summary>
public sealed record KioskConfigEditPlan(KioskConfigEditOutcome Outcome)
{
    public string? Message { get; init; }

    public IReadOnlyList<KioskConfigChange> Changes { get; init; } = [];

    /// <summary>Keys that already had the value asked for.</summary>
    public IReadOnlyList<KioskConfigChange> Unchanged { get; init; } = [];

    public IReadOnlyList<string> Introduced { get; init; } = [];

    /// <summary>The new file (Changed).</summary>
    public byte[]? Bytes { get; init; }

    /// <summary>What the agent would say about the new file (Changed): problems it had before are still there.</summary>
    public KioskConfigVerdict? After { get; init; }
}

/// <summary>
/// How a configuration change is checked before anything is written, shared by <c>kioskctl config set</c> and the
/// platform's <c>cmd/config</c>: the key must be one the agent reads (spelt as the options spell it when new), the value
/// is typed as the option wants it, and the whole file is validated as the agent validates it on start; a change that
/// adds a problem is refused, problems the file already had do not block it.
/// </summary>
public static class KioskConfigEditor
{
    /// <summary>The top-level sections of the agent's configuration file.</summary>
    public static readonly IReadOnlyList<string> Sections = ["Kiosk", "Logging"];

    /// <summary>A value no option converts to a number, a boolean, a duration or a list item: what the binder says about it names the option's type.</summary>
    private const string TypeProbe = "\u0001kioskctl-type-probe";

    /// <summary>Why <paramref name="key"/> cannot be a key of the file (an empty section, a section the agent does not read), or null.</summary>
    public static string? CheckKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        string[] segments;
        try
        {
            segments = KioskConfigEdit.Split(key);
        }
        catch (KioskConfigKeyException ex)
        {
            return ex.Message;
        }

        return Sections.Contains(segments[0], StringComparer.OrdinalIgnoreCase)
            ? null
            : $"'{key}' is not in a section the agent reads: the configuration file has the sections {string.Join(" and ", Sections)} (e.g. Kiosk:Sync:BrokerPort, Logging:LogLevel:Default).";
    }

    /// <summary>Validates flattened settings as the agent with <paramref name="drivers"/>, started in <paramref name="contentRoot"/>, would.</summary>
    public static KioskConfigVerdict Validate(IReadOnlyDictionary<string, string?> settings, string contentRoot, IEnumerable<DriverDescriptor> drivers)
    {
        var report = KioskConfigurationCheck.Check(settings, contentRoot, drivers);
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

        return new KioskConfigVerdict(report.Problems, notes, report);
    }

    /// <summary>
    /// Plans <paramref name="edits"/> on <paramref name="file"/>, in order; nothing is written.
    /// </summary>
    /// <param name="force">Write a key under Kiosk even though the agent does not read it.</param>
    /// <param name="unknownKeyFix">The end of the message for a key the agent does not read (where the keys are listed; how to force it).</param>
    /// <param name="overlayOn">
    /// When given, <paramref name="file"/> is the platform's settings file (<see cref="PlatformConfig"/>) laid over this,
    /// the technician's file: the keys are written into <paramref name="file"/> only, and what is judged is the
    /// configuration the agent would start with, the two layered as it layers them (keys it ignores in the platform's
    /// file left out). A removed key falls back to this file's value.
    /// </param>
    /// <param name="overlaidBy">
    /// When given, the settings the agent lays over <paramref name="file"/> (the platform's, when <paramref name="file"/>
    /// is the technician's: <see cref="PlatformConfigOverlay.Settings"/>): what is judged is the two together.
    /// </param>
    public static KioskConfigEditPlan Plan(
        KioskConfigDocument file,
        IReadOnlyList<KioskConfigEditRequest> edits,
        string contentRoot,
        IReadOnlyList<DriverDescriptor> drivers,
        bool force,
        string unknownKeyFix,
        KioskConfigDocument? overlayOn = null,
        IReadOnlyDictionary<string, string?>? overlaidBy = null)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(edits);
        var root = (JsonObject)file.Root.DeepClone();
        var settings = Seen(file, overlayOn, overlaidBy);
        var changes = new List<KioskConfigChange>();
        var unchanged = new List<KioskConfigChange>();
        foreach (var (key, raw) in edits)
        {
            if (CheckKey(key) is { } wrong)
            {
                return new KioskConfigEditPlan(KioskConfigEditOutcome.KeyRefused) { Message = wrong };
            }

            var segments = KioskConfigEdit.Split(key);
            if (raw is null)
            {
                if (Find(root, segments) is not { } present)
                {
                    continue;
                }

                if (present is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                {
                    return new KioskConfigEditPlan(KioskConfigEditOutcome.KeyRefused) { Message = $"{key} is a section with keys below it: remove them one by one." };
                }

                Remove(root, segments);
                var fallback = overlayOn is null ? null : Find(overlayOn.Root, segments);
                changes.Add(new KioskConfigChange(key, Text(key, present), fallback is null ? "(not set)" : Text(key, fallback)));
                settings = Seen(Reparse(file, root), overlayOn, overlaidBy);
                continue;
            }

            // What the agent makes of this key: whether it reads it at all, how it spells it, and what type it wants.
            var probe = new Dictionary<string, string?>(settings.Where(s => !IsAtOrBelow(s.Key, key)), StringComparer.OrdinalIgnoreCase) { [key] = TypeProbe };
            var shape = KioskConfigurationCheck.Check(probe, contentRoot, drivers);
            var known = shape.ReadKeys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            var isKiosk = string.Equals(segments[0], "Kiosk", StringComparison.OrdinalIgnoreCase);
            if (isKiosk && known is null && !force)
            {
                var suggestion = Closest(key, shape.ReadKeys);
                return new KioskConfigEditPlan(KioskConfigEditOutcome.KeyRefused)
                {
                    Message = $"'{key}' is not a key the agent reads, so setting it would have no effect{(suggestion is null ? "" : $" (did you mean {suggestion}?)")}. " + unknownKeyFix,
                };
            }

            var target = shape.ConversionFailures.FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase))?.TargetType;
            string written;
            JsonNode? old;
            JsonNode typed;
            try
            {
                var existing = Find(root, segments) ?? (overlayOn is null ? null : Find(overlayOn.Root, segments));
                typed = KioskConfigEdit.Typed(raw, existing, target);
                (written, old) = KioskConfigEdit.Apply(root, segments, known?.Split(':'), typed);
            }
            catch (KioskConfigKeyException ex)
            {
                return new KioskConfigEditPlan(KioskConfigEditOutcome.KeyRefused) { Message = ex.Message };
            }

            if (old is not null && JsonNode.DeepEquals(old, typed))
            {
                unchanged.Add(new KioskConfigChange(written, Text(written, old), Text(written, typed)));
                continue;
            }

            var replaced = old ?? (overlayOn is null ? null : Find(overlayOn.Root, segments));
            changes.Add(new KioskConfigChange(written, replaced is null ? "(not set)" : Text(written, replaced), Text(written, typed)));
            if (edits.Count > 1)
            {
                settings = Seen(Reparse(file, root), overlayOn, overlaidBy);
            }
        }

        if (changes.Count == 0)
        {
            return new KioskConfigEditPlan(KioskConfigEditOutcome.Unchanged) { Unchanged = unchanged };
        }

        var bytes = file.Serialize(root);
        KioskConfigDocument changed;
        try
        {
            changed = KioskConfigDocument.Parse(file.Path, bytes);
        }
        catch (KioskConfigDocumentException ex)
        {
            return new KioskConfigEditPlan(KioskConfigEditOutcome.Unreadable) { Message = ex.Message, Changes = changes };
        }

        // Refuse what this change breaks; problems the file already had are reported but do not block a fix of another key.
        var before = Validate(Seen(file, overlayOn, overlaidBy), contentRoot, drivers);
        var after = Validate(Seen(changed, overlayOn, overlaidBy), contentRoot, drivers);
        var introduced = after.Problems.Except(before.Problems).ToList();
        return introduced.Count > 0
            ? new KioskConfigEditPlan(KioskConfigEditOutcome.WouldNotStart) { Changes = changes, Introduced = introduced }
            : new KioskConfigEditPlan(KioskConfigEditOutcome.Changed) { Changes = changes, Unchanged = unchanged, Bytes = bytes, After = after };
    }

    /// <summary>The known key nearest to a misspelt one: same section first, then anywhere; null when nothing is close.</summary>
    public static string? Closest(string key, IReadOnlyList<string> known)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(known);
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

    /// <summary>The node at <paramref name="segments"/>, matching names as the configuration does (ignoring case), or null.</summary>
    public static JsonNode? Find(JsonNode root, string[] segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        JsonNode? current = root;
        foreach (var segment in segments)
        {
            current = current switch
            {
                JsonObject obj => obj.FirstOrDefault(p => string.Equals(p.Key, segment, StringComparison.OrdinalIgnoreCase)).Value,
                JsonArray array when int.TryParse(segment, System.Globalization.CultureInfo.InvariantCulture, out var i) && i >= 0 && i < array.Count => array[i],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }

    private static void Remove(JsonObject root, string[] segments)
    {
        var parent = Find(root, segments[..^1]) ?? root;
        if (segments.Length == 1)
        {
            parent = root;
        }

        switch (parent)
        {
            case JsonObject section when section.FirstOrDefault(p => string.Equals(p.Key, segments[^1], StringComparison.OrdinalIgnoreCase)).Key is { } name:
                section.Remove(name);
                break;
            case JsonArray list when int.TryParse(segments[^1], System.Globalization.CultureInfo.InvariantCulture, out var i) && i >= 0 && i < list.Count:
                list.RemoveAt(i);
                break;
        }
    }

    /// <summary>
    /// The settings the agent would start with: <paramref name="file"/>'s, or the platform's <paramref name="file"/> laid
    /// over <paramref name="overlayOn"/>; then <paramref name="overlaidBy"/> over them.
    /// </summary>
    private static IReadOnlyDictionary<string, string?> Seen(KioskConfigDocument file, KioskConfigDocument? overlayOn, IReadOnlyDictionary<string, string?>? overlaidBy)
    {
        var seen = overlayOn is null
            ? file.Settings
            : PlatformConfig.Effective(overlayOn.Settings, file.Settings.Where(s => PlatformConfig.WhyIgnored(s.Key) is null).ToDictionary(StringComparer.OrdinalIgnoreCase));
        return overlaidBy is null ? seen : PlatformConfig.Effective(seen, overlaidBy);
    }

    private static KioskConfigDocument Reparse(KioskConfigDocument file, JsonObject root) => KioskConfigDocument.Parse(file.Path, file.Serialize(root));

    private static string Text(string key, JsonNode? value) => KioskConfigDocument.IsSecret(key) ? KioskConfigDocument.Redacted : KioskConfigDocument.Display(value);

    /// <summary>Whether <paramref name="candidate"/> is <paramref name="key"/> or a key below it.</summary>
    private static bool IsAtOrBelow(string candidate, string key) =>
        string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase) || candidate.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase);

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
