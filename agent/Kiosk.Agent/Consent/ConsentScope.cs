using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Consent;

/// <summary>
/// What a consent covers: what is captured, how long it is kept, and the version of the text the person read. A consent
/// on file covers a check-in only when its scope equals the check-in's: a capture added or dropped, a retention changed
/// or a new text asks the person again.
/// </summary>
/// <param name="Captures">In the order of <see cref="BiometricCapture"/>, each once.</param>
/// <param name="PlatformRetentionDays">
/// How long the platform keeps the attachments (the platform policy's <c>attachmentRetentionDays</c>), or null when no
/// platform policy is in force: then the text says they are kept as the office's rules require.
/// </param>
/// <param name="TextVersion">The version of the consent text shown (<see cref="CurrentTextVersion"/>).</param>
public sealed record ConsentScope(IReadOnlyList<BiometricCapture> Captures, int? PlatformRetentionDays, int TextVersion)
{
    /// <summary>
    /// The version of the consent text in the kiosk screen (<c>CONSENT_TEXT_VERSION</c> in LocalApi/Screen/screen.js).
    /// Raise both together whenever the words change: every person is then asked again.
    /// </summary>
    public const int CurrentTextVersion = 1;

    /// <summary>How long the kiosk keeps what it captured: until the platform confirms it has stored it, then it is deleted.</summary>
    public const string KioskRetention = "untilStoredByPlatform";

    /// <summary>The scope of a check-in of <paramref name="steps"/> under the current text.</summary>
    public static ConsentScope For(IEnumerable<CheckInStep> steps, int? platformRetentionDays) =>
        new([.. steps.Select(s => s.CaptureOf()).OfType<BiometricCapture>().Distinct().Order()], platformRetentionDays, CurrentTextVersion);

    /// <summary>True when the steps capture nothing biometric: no consent is asked.</summary>
    public bool IsEmpty => Captures.Count == 0;

    public bool Equals(ConsentScope? other) =>
        other is not null && TextVersion == other.TextVersion && PlatformRetentionDays == other.PlatformRetentionDays && Captures.SequenceEqual(other.Captures);

    public override int GetHashCode() => HashCode.Combine(TextVersion, PlatformRetentionDays, string.Join(',', Captures));

    /// <summary>The scope as the check-in record and the alerts carry it (the version travels beside it).</summary>
    public JsonObject ToJson() => new()
    {
        ["captures"] = new JsonArray([.. Captures.Select(c => JsonValue.Create(c.WireName()))]),
        ["kioskRetention"] = KioskRetention,
        ["platformRetentionDays"] = PlatformRetentionDays,
    };

    /// <summary>The scope with its version, as <see cref="ConsentStore"/> keeps it.</summary>
    internal string ToStoredJson()
    {
        var json = ToJson();
        json["version"] = TextVersion;
        return json.ToJsonString();
    }

    /// <summary>Reads what <see cref="ToStoredJson"/> wrote; null for anything else (then the person is asked again).</summary>
    internal static ConsentScope? FromStoredJson(string text)
    {
        try
        {
            if (JsonNode.Parse(text) is not JsonObject json
                || json["captures"] is not JsonArray captures
                || json["version"] is not JsonValue version || !version.TryGetValue<int>(out var textVersion))
            {
                return null;
            }

            var parsed = new List<BiometricCapture>();
            foreach (var item in captures)
            {
                if (item is not JsonValue value || !value.TryGetValue<string>(out var name) || BiometricCaptures.FromWireName(name) is not { } capture)
                {
                    return null;
                }

                parsed.Add(capture);
            }

            int? days = json["platformRetentionDays"] is JsonValue d && d.TryGetValue<int>(out var n) ? n : null;
            return new ConsentScope(parsed, days, textVersion);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
