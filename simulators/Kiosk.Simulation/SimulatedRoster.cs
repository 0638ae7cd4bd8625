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
    public static IRoster Create(RosterOptions options, IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        if (options.SimulatedPeople <= 0)
        {
            return new PlatformRoster();
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

    private static ReadOnlyMemory<byte> Photo(string folder, string sourceId)
    {
        var path = Path.Combine(folder, sourceId + ".png");
        return File.Exists(path) ? File.ReadAllBytes(path) : default;
    }
}
