namespace Kiosk.Agent.Session;

/// <summary>A supervised person as the platform's roster knows them.</summary>
public sealed record RosterEntry(string PersonId, string IdNumber, string SupervisionLevel)
{
    /// <summary>Enrolled face photograph for the local 1:1 pre-check.</summary>
    public ReadOnlyMemory<byte> EnrolledPhoto { get; init; }

    /// <summary>Scene id of the enrolled photograph when a simulator provides it.</summary>
    public string? EnrolledSourceId { get; init; }
}

/// <summary>
/// The roster of people who report at this kiosk (sent by the platform; loaded from configuration today).
/// Thread safety: implementations must allow concurrent lookups.
/// </summary>
public interface IRoster
{
    RosterEntry? Find(string idNumber);
}

public sealed class InMemoryRoster(IEnumerable<RosterEntry> entries) : IRoster
{
    private readonly Dictionary<string, RosterEntry> _byIdNumber = entries.ToDictionary(e => e.IdNumber, StringComparer.OrdinalIgnoreCase);

    public RosterEntry? Find(string idNumber) => _byIdNumber.GetValueOrDefault(idNumber);
}
