using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Fleet.Measuring;

namespace Kiosk.Fleet.Running;

/// <summary>The run's figures: the one JSON line on stdout (names in snake_case, as the brief of the tool promises).</summary>
internal sealed class FleetReport
{
    public required FleetTally Tally { get; init; }

    public required int Kiosks { get; init; }

    /// <summary>Kiosks connected at the end, before they were stopped.</summary>
    public required int Connected { get; init; }

    /// <summary>Every figure besides the tally, in the order written.</summary>
    public JsonObject Figures { get; } = [];

    /// <summary>Exit code 0 only when nothing was lost or stored twice and every committed record was acknowledged.</summary>
    public bool Passed => Tally.Clean;

    public string ToJsonLine()
    {
        var line = new JsonObject
        {
            ["kiosks"] = Kiosks,
            ["connected"] = Connected,
            ["committed"] = Tally.Committed,
            ["acknowledged"] = Tally.Acknowledged,
            ["lost"] = Tally.Lost,
            ["duplicates_stored"] = Tally.DuplicatesStored,
            ["still_in_outboxes"] = Tally.StillInOutboxes,
            ["stored"] = Tally.Stored,
            ["unexpected_stored"] = Tally.Unexpected,
        };
        foreach (var (name, value) in Figures)
        {
            line[name] = value?.DeepClone();
        }

        line["passed"] = Passed;
        return line.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    public static JsonNode? Round(double? value, int digits = 1) => value is { } v && double.IsFinite(v) ? Math.Round(v, digits) : null;
}
