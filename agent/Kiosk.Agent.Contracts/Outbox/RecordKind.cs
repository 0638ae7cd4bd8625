namespace Kiosk.Agent.Outbox;

/// <summary>What an outbox record is; the wire name is the MQTT topic segment <c>records/{kind}</c>.</summary>
public enum RecordKind
{
    CheckIn,
    Alert,
    Audit,
    Telemetry,

    /// <summary>What a platform command did (docs/mqtt-contract.md, "Commands"); kept until the platform confirms it.</summary>
    CommandResult,
}

/// <summary>Drain order: lower goes first. Check-ins and alerts are never evicted.</summary>
public enum RecordPriority
{
    Alert = 0,
    CheckIn = 1,
    Audit = 2,
    Telemetry = 3,
}

public static class RecordKinds
{
    public static string WireName(this RecordKind kind) => kind switch
    {
        RecordKind.CheckIn => "checkin",
        RecordKind.Alert => "alert",
        RecordKind.Audit => "audit",
        RecordKind.Telemetry => "telemetry",
        RecordKind.CommandResult => "commandResult",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The kind with wire name <paramref name="name"/>; false for a kind this agent does not know (a newer release wrote it).</summary>
    public static bool TryFromWireName(string? name, out RecordKind kind)
    {
        (var known, kind) = name switch
        {
            "checkin" => (true, RecordKind.CheckIn),
            "alert" => (true, RecordKind.Alert),
            "audit" => (true, RecordKind.Audit),
            "telemetry" => (true, RecordKind.Telemetry),
            "commandResult" => (true, RecordKind.CommandResult),
            _ => (false, default),
        };
        return known;
    }

    public static RecordPriority DefaultPriority(this RecordKind kind) => kind switch
    {
        RecordKind.Alert => RecordPriority.Alert,
        RecordKind.CheckIn => RecordPriority.CheckIn,
        RecordKind.Audit => RecordPriority.Audit,
        RecordKind.CommandResult => RecordPriority.CheckIn, // never evicted: the platform waits for it
        _ => RecordPriority.Telemetry,
    };
}
