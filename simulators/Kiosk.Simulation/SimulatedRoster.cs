using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Session;
using Kiosk.Devices.Simulated;
using Microsoft.Extensions.Configuration;

namespace Kiosk.Simulation;

/// <summary>
/// The generated roster of the demo and the tests: <c>Kiosk:Roster:SimulatedPeople</c> people from the simulators'
/// deterministic set, half at the <c>normal</c> supervision level and half <c>strict</c>, each enrolled with the photograph
/// their simulated face comes from (in <c>Kiosk:Devices:Simulation:DataFolder</c>), so a real face camera and matcher can
/// verify them too. None (no roster, as on a production kiosk the platform has not yet served) when the count is 0.
/// </summary>
public static class SimulatedRoster
{
    /// <param name="platform">The platform's roster, used when the count is 0.</param>
    public static IRoster Create(RosterOptions options, IConfiguration configuration, string contentRoot, RosterStore platform)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        if (options.SimulatedPeople <= 0)
        {
            return new PlatformRoster(platform);
        }

        var configured = configuration["Kiosk:Devices:Simulation:DataFolder"];
        var photos = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? SimulatedDrivers.DefaultDataFolder : configured, contentRoot);
        return new InMemoryRoster(People(options).Select((p, i) => new RosterEntry($"P{i + 1:D4}", p.Card.IdNumber, i % 2 == 0 ? "normal" : "strict")
        {
            EnrolledPhoto = Photo(photos, p.FaceSourceId),
        }));
    }

    /// <summary>The people of the roster, in roster order (person n of <c>/api/simulation/visitor</c> is item n - 1).</summary>
    public static IReadOnlyList<SimulatedPerson> People(RosterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SimulatedPeople.Generate(options.Seed, options.SimulatedPeople);
    }

    /// <summary>
    /// The same people as the platform's roster lists them (<c>cmd/roster</c>'s <c>people</c>): personId P0001..., the
    /// SHA-256 of the upper-cased ID number, the name masked after its first character, the level and the enrolled photograph
    /// (base64) from <paramref name="photoFolder"/>, in roster order.
    /// </summary>
    public static IReadOnlyList<JsonObject> PlatformPeople(RosterOptions options, string photoFolder) =>
        [.. People(options).Select((p, i) => PlatformPerson(p, $"P{i + 1:D4}", i % 2 == 0 ? "normal" : "strict", Photo(photoFolder, p.FaceSourceId)))];

    /// <summary>One person as <c>cmd/roster</c> lists them.</summary>
    public static JsonObject PlatformPerson(SimulatedPerson person, string personId, string level, ReadOnlyMemory<byte> photo)
    {
        ArgumentNullException.ThrowIfNull(person);
        var entry = new JsonObject
        {
            ["personId"] = personId,
            ["idNumberHash"] = RosterEntry.HashIdNumber(person.Card.IdNumber),
            ["maskedName"] = person.Card.Name[..1] + new string('*', Math.Max(1, person.Card.Name.Length - 1)),
            ["supervisionLevel"] = level,
        };
        if (!photo.IsEmpty)
        {
            entry["face"] = Convert.ToBase64String(photo.Span);
        }

        return entry;
    }

    private static ReadOnlyMemory<byte> Photo(string folder, string sourceId)
    {
        var path = Path.Combine(folder, sourceId + ".png");
        return File.Exists(path) ? File.ReadAllBytes(path) : default;
    }
}
