namespace Kiosk.Agent.Session;

/// <summary>A supervised person as the platform's roster knows them.</summary>
public sealed record RosterEntry(string PersonId, string IdNumber, string SupervisionLevel)
{
    /// <summary>Enrolled face photograph for the local 1:1 pre-check.</summary>
    public ReadOnlyMemory<byte> EnrolledPhoto { get; init; }
}

/// <summary>
/// The roster of people who report at this kiosk. A production kiosk's comes from the platform only.
/// Thread safety: implementations must allow concurrent lookups.
/// </summary>
public interface IRoster
{
    /// <summary>False until the kiosk has a roster: it then refuses check-ins and reports "no roster".</summary>
    bool IsLoaded { get; }

    RosterEntry? Find(string idNumber);
}

/// <summary>A roster held in memory (the demo's generated people, the tests' people).</summary>
public sealed class InMemoryRoster(IEnumerable<RosterEntry> entries) : IRoster
{
    private readonly Dictionary<string, RosterEntry> _byIdNumber = entries.ToDictionary(e => e.IdNumber, StringComparer.OrdinalIgnoreCase);

    public bool IsLoaded => true;

    public RosterEntry? Find(string idNumber) => _byIdNumber.GetValueOrDefault(idNumber);
}

/// <summary>
/// The roster the platform sends. Until the platform pushes one (the control plane's <c>roster</c> command), the kiosk
/// has none: it starts, syncs its backlog, reports "no roster" and refuses check-ins with an alert.
/// </summary>
public sealed class PlatformRoster : IRoster
{
    public bool IsLoaded => false;

    public RosterEntry? Find(string idNumber) => null;
}
