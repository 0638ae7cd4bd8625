using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Kiosk.Agent.Session;

namespace Kiosk.Agent.Control.Commands;

/// <summary>Whether a roster command replaces the roster or changes the one the kiosk has.</summary>
public enum RosterMode
{
    Full,
    Delta,
}

/// <summary>
/// A parsed <c>cmd/roster</c> body. <see cref="People"/> are the whole roster (full) or the people added or replaced, by
/// personId (delta); <see cref="Remove"/> are the personIds a delta takes off.
/// </summary>
public sealed record RosterUpdate(RosterMode Mode, long Version, long? BaseVersion, IReadOnlyList<RosterEntry> People, IReadOnlyList<string> Remove);

/// <summary>
/// <c>cmd/roster</c> (docs/schemas/cmd-roster.schema.json): the people who may check in at this kiosk, as a full roster or
/// a delta against the kiosk's current version. Validated strictly: one bad entry refuses the whole command with a message
/// naming the entry's index and field (never its value). Applied by <see cref="RosterStore"/>: stored sealed, then swapped
/// in at once; a session already under way finishes on the roster it started with.
/// </summary>
/// <remarks>
/// <see cref="MaxMessageBytes"/> is the signed message's limit (16 MiB: about 9 MiB of enrolled photographs once base64
/// is counted twice, in the body and in the JWS payload). The MQTT client's <c>Kiosk:Sync:MaxIncomingPacketBytes</c>
/// (1 MiB by default) bounds it first: the broker does not deliver a larger packet to this kiosk at all, so a site that
/// sends photographs raises that setting, or the platform splits its roster into a full roster and deltas.
/// </remarks>
internal sealed partial class RosterCommand(RosterStore store) : ICommandHandler
{
    public const int MaxMessageSize = 16 * 1024 * 1024;
    public const int MaxPeople = 100_000;
    public const int MaxFaceBytes = 4 * 1024 * 1024;
    public const int MaxFingerprintBytes = 64 * 1024;
    public const int MaxMaskedNameLength = 32;

    private static readonly string[] BodyFields = ["commandId", "mode", "version", "baseVersion", "people", "remove"];
    private static readonly string[] PersonFields = ["personId", "idNumberHash", "maskedName", "supervisionLevel", "face", "fingerprint"];

    public string Name => "roster";

    public int MaxMessageBytes => MaxMessageSize;

    public async Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        if (!TryParse(request.Body, out var update, out var error))
        {
            return CommandResult.Refused(error);
        }

        var (applied, message) = await store.ApplyAsync(update!, cancellationToken).ConfigureAwait(false);
        return applied is null
            ? CommandResult.Refused(message)
            : CommandResult.Done(message, new JsonObject
            {
                ["version"] = applied.Version,
                ["mode"] = update!.Mode == RosterMode.Full ? "full" : "delta",
                ["people"] = applied.People.Count,
            });
    }

    /// <summary>The fuzz-friendly entry point: parses and validates a whole body; never throws on any input.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, out RosterUpdate? update, out string error)
    {
        using var document = CommandJson.Parse(utf8Json, out error);
        if (document is null)
        {
            update = null;
            return false;
        }

        return TryParse(document.RootElement, out update, out error);
    }

    /// <summary>Parses and validates a body already read as JSON (the command's, or the stored roster).</summary>
    public static bool TryParse(JsonElement body, out RosterUpdate? update, out string error)
    {
        update = null;
        error = Validate(body, out var parsed) ?? "";
        update = parsed;
        return error.Length == 0;
    }

    private static string? Validate(JsonElement body, out RosterUpdate? update)
    {
        update = null;
        if (CommandJson.BrokenText(body) is { } broken)
        {
            return broken;
        }

        if (CommandJson.OnlyKnown(body, "", BodyFields) is { } unknown)
        {
            return unknown;
        }

        var mode = body.TryGetProperty("mode", out var modeElement) ? CommandJson.String(modeElement) : null;
        if (mode is not ("full" or "delta"))
        {
            return "mode: must be \"full\" or \"delta\"";
        }

        if (!body.TryGetProperty("version", out var versionElement) || !CommandJson.TryWholeNumber(versionElement, 1, CommandJson.MaxSafeInteger, out var version))
        {
            return "version: must be a whole number from 1 to 2^53-1";
        }

        long? baseVersion = null;
        var remove = new List<string>();
        if (mode == "full")
        {
            if (body.TryGetProperty("baseVersion", out _))
            {
                return "baseVersion: only a delta has one";
            }

            if (body.TryGetProperty("remove", out _))
            {
                return "remove: only a delta removes people (a full roster lists everyone)";
            }

            if (!body.TryGetProperty("people", out _))
            {
                return "people: a full roster needs its people (an empty array for none)";
            }
        }
        else
        {
            if (!body.TryGetProperty("baseVersion", out var baseElement) || !CommandJson.TryWholeNumber(baseElement, 1, CommandJson.MaxSafeInteger, out var b))
            {
                return "baseVersion: a delta needs the version it applies to, a whole number from 1 to 2^53-1";
            }

            if (b >= version)
            {
                return "baseVersion: must be below version";
            }

            baseVersion = b;
            if (body.TryGetProperty("remove", out var removeElement))
            {
                if (removeElement.ValueKind != JsonValueKind.Array)
                {
                    return "remove: must be an array of personIds";
                }

                var removed = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var item in removeElement.EnumerateArray())
                {
                    var personId = CommandJson.String(item);
                    if (!CommandJson.IsIdentifier(personId))
                    {
                        return $"remove[{index}]: must be a personId (1..64 of A-Z a-z 0-9 _ -)";
                    }

                    if (!removed.Add(personId!))
                    {
                        return $"remove[{index}]: the personId is listed twice";
                    }

                    remove.Add(personId!);
                    index++;
                }
            }
        }

        var people = new List<RosterEntry>();
        if (body.TryGetProperty("people", out var peopleElement))
        {
            if (peopleElement.ValueKind != JsonValueKind.Array)
            {
                return "people: must be an array";
            }

            if (peopleElement.GetArrayLength() > MaxPeople)
            {
                return $"people: more than {MaxPeople} people";
            }

            var ids = new HashSet<string>(StringComparer.Ordinal);
            var hashes = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var item in peopleElement.EnumerateArray())
            {
                if (ValidatePerson(item, $"people[{index}]", out var person) is { } problem)
                {
                    return problem;
                }

                if (!ids.Add(person!.PersonId))
                {
                    return $"people[{index}].personId: the same personId is listed twice";
                }

                if (!hashes.Add(person.IdNumberHash))
                {
                    return $"people[{index}].idNumberHash: the same ID number is listed twice";
                }

                if (remove.Contains(person.PersonId, StringComparer.Ordinal))
                {
                    return $"people[{index}].personId: the delta both adds and removes this person";
                }

                people.Add(person);
                index++;
            }
        }

        update = new RosterUpdate(mode == "full" ? RosterMode.Full : RosterMode.Delta, version, baseVersion, people, remove);
        return null;
    }

    private static string? ValidatePerson(JsonElement item, string path, out RosterEntry? person)
    {
        person = null;
        if (CommandJson.OnlyKnown(item, path, PersonFields) is { } unknown)
        {
            return unknown;
        }

        var personId = item.TryGetProperty("personId", out var e) ? CommandJson.String(e) : null;
        if (!CommandJson.IsIdentifier(personId))
        {
            return $"{path}.personId: must be 1..64 of A-Z a-z 0-9 _ -";
        }

        var hash = item.TryGetProperty("idNumberHash", out e) ? CommandJson.String(e) : null;
        if (hash is null || !HashPattern().IsMatch(hash))
        {
            return $"{path}.idNumberHash: must be 64 lower-case hex digits (SHA-256 of the upper-cased ID number)";
        }

        var maskedName = item.TryGetProperty("maskedName", out e) ? CommandJson.String(e) : null;
        if (maskedName is null || maskedName.Length is 0 or > MaxMaskedNameLength || !maskedName.Contains('*', StringComparison.Ordinal)
            || maskedName.Any(char.IsControl) || string.IsNullOrWhiteSpace(maskedName))
        {
            return $"{path}.maskedName: must be 1..{MaxMaskedNameLength} characters with at least one '*' masking the name, no control characters";
        }

        var level = item.TryGetProperty("supervisionLevel", out e) ? CommandJson.String(e) : null;
        if (!CommandJson.IsLevel(level))
        {
            return $"{path}.supervisionLevel: must match ^[a-z][a-z0-9-]{{0,31}}$";
        }

        byte[]? face = null;
        if (item.TryGetProperty("face", out e) && (face = CommandJson.Base64(e, MaxFaceBytes, out var problem)) is null)
        {
            return $"{path}.face: {problem}";
        }

        byte[]? fingerprint = null;
        if (item.TryGetProperty("fingerprint", out e) && (fingerprint = CommandJson.Base64(e, MaxFingerprintBytes, out var fingerProblem)) is null)
        {
            return $"{path}.fingerprint: {fingerProblem}";
        }

        person = new RosterEntry(personId!, "", level!)
        {
            IdNumberHash = hash,
            MaskedName = maskedName,
            EnrolledPhoto = face,
            FingerprintTemplate = fingerprint,
        };
        return null;
    }

    /// <summary>The roster as stored (a full roster body without commandId): what <see cref="TryParse(ReadOnlySpan{byte}, out RosterUpdate?, out string)"/> reads back.</summary>
    public static byte[] ToDocument(long version, IReadOnlyList<RosterEntry> people)
    {
        ArgumentNullException.ThrowIfNull(people);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("mode", "full");
            json.WriteNumber("version", version);
            json.WriteStartArray("people");
            foreach (var person in people)
            {
                json.WriteStartObject();
                json.WriteString("personId", person.PersonId);
                json.WriteString("idNumberHash", person.IdNumberHash);
                json.WriteString("maskedName", person.MaskedName);
                json.WriteString("supervisionLevel", person.SupervisionLevel);
                if (!person.EnrolledPhoto.IsEmpty)
                {
                    json.WriteBase64String("face", person.EnrolledPhoto.Span);
                }

                if (!person.FingerprintTemplate.IsEmpty)
                {
                    json.WriteBase64String("fingerprint", person.FingerprintTemplate.Span);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex HashPattern();
}
