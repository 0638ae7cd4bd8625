namespace Kiosk.Agent.Outbox;

/// <summary>What an outbox record is; the wire name is the MQTT topic segment <c>records/{kind}</c>.</summary>
public enum RecordKind
{
    CheckIn,
    Alert,
    Audit,
    Telemetry,
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
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static RecordKind FromWireName(string name) => name switch
    {
        "checkin" => RecordKind.CheckIn,
        "alert" => RecordKind.Alert,
        "audit" => RecordKind.Audit,
        "telemetry" => RecordKind.Telemetry,
        _ => throw new FormatException($"unknown record kind '{name}'"),
    };

    public static RecordPriority DefaultPriority(this RecordKind kind) => kind switch
    {
        RecordKind.Alert => RecordPriority.Alert,
        RecordKind.CheckIn => RecordPriority.CheckIn,
        RecordKind.Audit => RecordPriority.Audit,
        _ => RecordPriority.Telemetry,
    };
}
