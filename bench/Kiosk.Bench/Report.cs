using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Kiosk.Bench;

/// <summary>
/// Collects the figures: a table row per metric (ours, baseline, speed against it, target) for people, and one
/// JSON object for machines, printed last.
/// </summary>
internal sealed class Report
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];
    private readonly JsonObject _json = [];

    /// <summary>Adds a figure to the JSON only.</summary>
    public void Figure(string key, double value, int decimals) => _json[key] = Math.Round(value, decimals);

    public void Figure(string key, bool value) => _json[key] = value;

    public bool Has(string key) => _json[key] is JsonValue;

    public double Get(string key) => _json[key]!.GetValue<double>();

    /// <summary>
    /// A table row. <paramref name="speed"/> is how many times faster than the baseline we are (throughput: ours/baseline;
    /// latency: baseline/ours), so above 1 is better. <paramref name="targetKey"/> names the JSON figure a target applies to.
    /// </summary>
    public void Row(string metric, string ours, string baseline, double? speed, string? targetKey = null)
    {
        var target = "";
        if (targetKey is not null && Target.All.FirstOrDefault(t => t.Key == targetKey) is { } goal && _json[targetKey] is JsonValue value)
        {
            target = $"{targetKey} {goal.Description}: {(goal.IsMetBy(value.GetValue<double>()) ? "met" : "MISSED")}";
        }

        _rows.Add([metric, ours, baseline, speed is { } s ? s.ToString("0.000", CultureInfo.InvariantCulture) + "x" : "-", target]);
    }

    public void Note(string text) => _notes.Add(text);

    public string Render()
    {
        var summary = Target.All.Where(t => _json[t.Key] is JsonValue).Select(t => (t.Key, Met: t.IsMetBy(_json[t.Key]!.GetValue<double>()))).ToList();
        _json["targets_met"] = summary.Count(s => s.Met);
        _json["targets_missed"] = new JsonArray([.. summary.Where(s => !s.Met).Select(s => JsonValue.Create(s.Key))]);

        string[] header = ["metric", "ours", "baseline", "vs baseline", "target"];
        var widths = header.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(string[] cells) => text.AppendLine(string.Join("  ", cells.Select((c, i) => i is 1 or 2 or 3 ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
        Line(header);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in _rows)
        {
            Line(row);
        }

        text.AppendLine();
        text.AppendLine("'vs baseline': times faster than the raw baseline measured in this run (throughput ours/baseline, latency baseline/ours).");
        foreach (var note in _notes)
        {
            text.AppendLine(note);
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"targets: {summary.Count(s => s.Met)} met, {summary.Count(s => !s.Met)} missed{(summary.Any(s => !s.Met) ? " (" + string.Join(", ", summary.Where(s => !s.Met).Select(s => s.Key)) + ")" : "")}");
        text.Append(_json.ToJsonString());
        return text.ToString();
    }

    public static string Ms(double ms) => ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    public static string Number(double value, string format, string unit) => value.ToString(format, CultureInfo.InvariantCulture) + " " + unit;
}
