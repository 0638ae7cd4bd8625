using System.Globalization;

namespace Kiosk.Fleet;

/// <summary>The command line of <c>kiosk-fleet</c> (<c>./kiosk.sh fleet</c>).</summary>
internal static class FleetArguments
{
    public const string Usage = """
        usage: kiosk-fleet [--kiosks N] [--minutes M] [--scenario steady|storm|outage|kill|all[,...]] [--instances K]
                           [--interval-s S] [--attachment-kib K] [--outage-s S] [--ack-timeout-s S]
                           [--reconnect-base-s S] [--reconnect-max-s S] [--socket-buffer-kib K] [--sqlite-heap-mib M] [--drain-s S]
                           [--progress-s S] [--seed N] [--folder DIR] [--mosquitto PATH]
        """;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming every bad argument.</summary>
    public static FleetOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new FleetOptions();
        var problems = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string? value = null;
            if (name.StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Count)
            {
                value = args[i + 1];
            }

            try
            {
                options = name switch
                {
                    "--kiosks" => options with { Kiosks = Int(name, value) },
                    "--minutes" => options with { Minutes = Number(name, value) },
                    "--scenario" => options with { Scenarios = Scenarios(value ?? throw Missing(name)) },
                    "--instances" => options with { Instances = Int(name, value) },
                    "--interval-s" => options with { CommitInterval = Seconds(name, value) },
                    "--attachment-kib" => options with { AttachmentBytes = checked(Int(name, value) * 1024) },
                    "--outage-s" => options with { Outage = Seconds(name, value) },
                    "--ack-timeout-s" => options with { AckTimeout = Seconds(name, value) },
                    "--reconnect-base-s" => options with { ReconnectBaseDelay = Seconds(name, value) },
                    "--reconnect-max-s" => options with { ReconnectMaxDelay = Seconds(name, value) },
                    "--socket-buffer-kib" => options with { SocketBufferBytes = checked(Int(name, value) * 1024) },
                    "--sqlite-heap-mib" => options with { SqliteHeapBytes = checked(Int(name, value) * 1024 * 1024) },
                    "--drain-s" => options with { DrainBound = Seconds(name, value) },
                    "--progress-s" => options with { ProgressEvery = Seconds(name, value) },
                    "--seed" => options with { Seed = Int(name, value) },
                    "--folder" => options with { Folder = value ?? throw Missing(name) },
                    "--mosquitto" => options with { Mosquitto = value ?? throw Missing(name) },
                    _ => throw new ArgumentException($"unknown argument '{name}'"),
                };
                i++;
            }
            catch (ArgumentException ex)
            {
                problems.Add(ex.Message);
            }
            catch (OverflowException)
            {
                problems.Add($"{name} {value} is too large");
                i++;
            }
        }

        problems.AddRange(options.Problems());
        return problems.Count == 0 ? options : throw new ArgumentException(string.Join("; ", problems));
    }

    private static FleetScenario Scenarios(string value)
    {
        var result = FleetScenario.None;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result |= part switch
            {
                "steady" => FleetScenario.Steady,
                "storm" => FleetScenario.Storm,
                "outage" => FleetScenario.Outage,
                "kill" => FleetScenario.Kill,
                "all" => FleetScenario.All,
                _ => throw new ArgumentException($"--scenario '{part}' is not one of steady, storm, outage, kill, all"),
            };
        }

        return result == FleetScenario.None ? throw new ArgumentException("--scenario names no scenario") : result;
    }

    private static int Int(string name, string? value) =>
        int.TryParse(value ?? throw Missing(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw new ArgumentException($"{name} needs a whole number, not '{value}'");

    private static double Number(string name, string? value) =>
        double.TryParse(value ?? throw Missing(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : throw new ArgumentException($"{name} needs a number, not '{value}'");

    private static TimeSpan Seconds(string name, string? value) => TimeSpan.FromSeconds(Number(name, value));

    private static ArgumentException Missing(string name) => new($"{name} needs a value");
}
