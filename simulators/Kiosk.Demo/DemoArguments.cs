using System.Globalization;

namespace Kiosk.Demo;

/// <summary>Command line of <c>./kiosk.sh demo</c>.</summary>
internal sealed record DemoArguments
{
    /// <summary>Stop after this many check-ins are acknowledged; null runs until Ctrl+C; 0 only drains an earlier backlog.</summary>
    public int? CheckIns { get; init; }

    public string DataFolder { get; init; } = "kiosk-data";

    /// <summary>host:port of an external broker; null starts the embedded one.</summary>
    public string? Broker { get; init; }

    public bool WithCentral { get; init; } = true;

    /// <summary>Print "committed &lt;recordId&gt;" the moment each commit returns (for the crash tests).</summary>
    public bool TraceCommits { get; init; }

    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(300);

    public string? TestData { get; init; }

    /// <summary>Serve the kiosk screen (and print its one-time URL) instead of running simulated visitors.</summary>
    public bool Screen { get; init; }

    /// <summary>Configuration overrides in the agent's own syntax, e.g. <c>--Kiosk:Devices:FaceCamera=OpenCv</c>.</summary>
    public IReadOnlyList<string> AgentSettings { get; init; } = [];

    public static DemoArguments Parse(string[] args)
    {
        var result = new DemoArguments();
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            result = args[i] switch
            {
                "--checkins" => result with { CheckIns = int.TryParse(Value(), CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : throw new ArgumentException("--checkins needs a whole number of 0 or more") },
                "--data" => result with { DataFolder = Value() },
                "--broker" => result with { Broker = Value() },
                "--no-central" => result with { WithCentral = false },
                "--screen" => result with { Screen = true },
                "--trace-commits" => result with { TraceCommits = true },
                "--interval-ms" => result with { Interval = TimeSpan.FromMilliseconds(int.Parse(Value(), CultureInfo.InvariantCulture)) },
                "--test-data" => result with { TestData = Value() },
                var setting when setting.StartsWith("--Kiosk:", StringComparison.Ordinal) && setting.Contains('=', StringComparison.Ordinal) => result with { AgentSettings = [.. result.AgentSettings, setting] },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
        }

        return result;
    }

    public const string Usage = "usage: kiosk.sh demo [--checkins N] [--data DIR] [--test-data DIR] [--broker HOST:PORT] [--no-central] [--interval-ms MS] [--trace-commits] [--screen] [--Kiosk:KEY=VALUE ...]";
}
