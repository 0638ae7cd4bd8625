namespace Kiosk.Central;

/// <summary>What the platform last heard from one kiosk on its <c>state</c> and <c>telemetry</c> topics.</summary>
/// <param name="Online">False after a death message (the Last Will or a clean shutdown).</param>
/// <param name="BootId">From the last state message; null when it carried none.</param>
/// <param name="AgentVersion">From the last birth; kept across a death.</param>
/// <param name="LastStateJson">The last state payload as received.</param>
/// <param name="LastTelemetryJson">The last heartbeat as received; null until one arrives.</param>
/// <param name="LastSeen">Platform time of the last state or telemetry message.</param>
public sealed record KioskPresence(
    bool Online,
    string? BootId,
    string? AgentVersion,
    string? LastStateJson,
    string? LastTelemetryJson,
    DateTimeOffset LastSeen);
