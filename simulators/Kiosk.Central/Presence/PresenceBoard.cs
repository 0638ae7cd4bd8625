using System.Collections.Concurrent;
using Kiosk.Central.Messages;

namespace Kiosk.Central.Presence;

/// <summary>The last state and heartbeat of every kiosk heard from. Thread-safe.</summary>
internal sealed class PresenceBoard
{
    private readonly ConcurrentDictionary<string, KioskPresence> _kiosks = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, KioskPresence> Snapshot() => new Dictionary<string, KioskPresence>(_kiosks, StringComparer.Ordinal);

    public void State(string kioskKey, StateMessage state, string json, DateTimeOffset now) =>
        _kiosks.AddOrUpdate(
            kioskKey,
            _ => new KioskPresence(state.Online, state.BootId, state.AgentVersion, json, null, now),
            (_, old) => old with
            {
                Online = state.Online,
                BootId = state.BootId ?? old.BootId,
                AgentVersion = state.AgentVersion ?? old.AgentVersion,
                LastStateJson = json,
                LastSeen = now,
            });

    public void Telemetry(string kioskKey, string json, DateTimeOffset now) =>
        _kiosks.AddOrUpdate(
            kioskKey,
            _ => new KioskPresence(true, null, null, null, json, now),
            (_, old) => old with { LastTelemetryJson = json, LastSeen = now });
}
