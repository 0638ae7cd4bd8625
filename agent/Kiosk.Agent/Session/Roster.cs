using System.Security.Cryptography;
using System.Text;

namespace Kiosk.Agent.Session;

/// <summary>A supervised person as the platform's roster knows them.</summary>
/// <param name="IdNumber">The person's ID number as read from their card (empty in a stored platform roster, which holds its hash only).</param>
public sealed record RosterEntry(string PersonId, string IdNumber, string SupervisionLevel)
{
    /// <summary>Enrolled face photograph for the local 1:1 pre-check.</summary>
    public ReadOnlyMemory<byte> EnrolledPhoto { get; init; }

    /// <summary>Enrolled fingerprint template (ISO/IEC 19794-2), when the platform sent one.</summary>
    public ReadOnlyMemory<byte> FingerprintTemplate { get; init; }

    /// <summary>SHA-256 hex of the upper-cased ID number (platform roster entries); empty for generated entries, which hold the number.</summary>
    public string IdNumberHash { get; init; } = "";

    /// <summary>The name as the screen may show it (e.g. <c>张*</c>); never the full name.</summary>
    public string MaskedName { get; init; } = "";

    /// <summary>SHA-256 hex (lower case) of the upper-cased ID number: what the platform's roster identifies a person by.</summary>
    public static string HashIdNumber(string idNumber)
    {
        ArgumentNullException.ThrowIfNull(idNumber);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idNumber.Trim().ToUpperInvariant())));
    }
}

/// <summary>
/// The roster of people who report at this kiosk. A production kiosk's comes from the platform only.
/// Thread safety: implementations must allow concurrent lookups.
/// </summary>
public interface IRoster
{
    /// <summary>False until the kiosk has a roster: it then refuses check-ins and reports "no roster".</summary>
    bool IsLoaded { get; }

    /// <summary>The platform's version of this roster, or null (a generated roster, or none yet).</summary>
    long? Version => null;

    RosterEntry? Find(string idNumber);

    /// <summary>
    /// The roster as it is now, unchanged by later updates: a session takes one at its start and finishes on it.
    /// An immutable roster is its own snapshot.
    /// </summary>
    IRoster Snapshot() => this;
}

/// <summary>A roster held in memory (the demo's generated people, the tests' people).</summary>
public sealed class InMemoryRoster(IEnumerable<RosterEntry> entries) : IRoster
{
    private readonly Dictionary<string, RosterEntry> _byIdNumber = entries.ToDictionary(e => e.IdNumber, StringComparer.OrdinalIgnoreCase);

    public bool IsLoaded => true;

    public RosterEntry? Find(string idNumber) => _byIdNumber.GetValueOrDefault(idNumber);
}

/// <summary>
/// The roster the platform sends (<c>cmd/roster</c>, kept sealed in the control store by <see cref="RosterStore"/>). Until
/// the platform pushes one, the kiosk has none: it starts, syncs its backlog, reports "no roster" and refuses check-ins
/// with an alert. Each lookup sees the roster in force; <see cref="Snapshot"/> pins one version for a session.
/// </summary>
public sealed class PlatformRoster(RosterStore store) : IRoster
{
    public bool IsLoaded => store.Current is not null;

    public long? Version => store.Current?.Version;

    public RosterEntry? Find(string idNumber) => store.Current?.Find(idNumber);

    /// <summary>The roster in force now; with none yet, this (a roster arriving before the card is read is used).</summary>
    public IRoster Snapshot() => store.Current ?? (IRoster)this;
}

/// <summary>One version of the platform's roster; immutable, so a session can keep it while a newer one takes over.</summary>
public sealed class RosterSnapshot : IRoster
{
    private readonly Dictionary<string, RosterEntry> _byHash;

    public RosterSnapshot(long version, IEnumerable<RosterEntry> people)
    {
        ArgumentNullException.ThrowIfNull(people);
        Version = version;
        People = [.. people];
        _byHash = People.ToDictionary(p => p.IdNumberHashOrCompute(), StringComparer.Ordinal);
    }

    long? IRoster.Version => Version;

    public long Version { get; }

    /// <summary>In the order the platform listed them (a delta's additions last).</summary>
    public IReadOnlyList<RosterEntry> People { get; }

    public bool IsLoaded => true;

    public RosterEntry? Find(string idNumber) =>
        _byHash.TryGetValue(RosterEntry.HashIdNumber(idNumber), out var entry) ? entry with { IdNumber = idNumber } : null;

    public bool ContainsHash(string idNumberHash) => _byHash.ContainsKey(idNumberHash);
}

internal static class RosterEntryHashes
{
    /// <summary>Platform entries carry the hash in <see cref="RosterEntry.IdNumber"/>'s stead (<see cref="RosterEntry.IdNumberHash"/>).</summary>
    public static string IdNumberHashOrCompute(this RosterEntry entry) =>
        entry.IdNumberHash is { Length: > 0 } hash ? hash : RosterEntry.HashIdNumber(entry.IdNumber);
}
