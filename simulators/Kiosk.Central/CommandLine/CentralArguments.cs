using System.Globalization;

namespace Kiosk.Central.CommandLine;

/// <summary>The command line of the <c>kiosk-central</c> executable.</summary>
internal sealed record CentralArguments(CentralOptions Options, bool ExitWhenStdinCloses)
{
    public const string Usage = """
        usage: kiosk-central --db PATH [--broker HOST:PORT] [--client-id ID] [--exit-on-stdin-close]
          --db PATH              the simulator's SQLite file (created when missing)
          --broker HOST:PORT     the MQTT 5 broker (default 127.0.0.1:1883)
          --client-id ID         MQTT client id (default central-simulator)
          --exit-on-stdin-close  also stop when standard input reaches its end (for a parent process holding a pipe)
        stops on SIGINT or SIGTERM.
        """;

    /// <summary>Parses the arguments; on failure <paramref name="error"/> names the bad argument.</summary>
    public static CentralArguments? Parse(IReadOnlyList<string> args, out string error)
    {
        string? database = null;
        string host = "127.0.0.1";
        int port = 1883;
        string clientId = "central-simulator";
        var exitOnStdinClose = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--exit-on-stdin-close")
            {
                exitOnStdinClose = true;
                continue;
            }

            if (name is not ("--db" or "--broker" or "--client-id"))
            {
                error = $"unknown argument '{name}'";
                return null;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal) || args[i + 1].Length == 0)
            {
                error = $"{name} needs a value";
                return null;
            }

            var value = args[++i];
            switch (name)
            {
                case "--db":
                    database = value;
                    break;
                case "--client-id":
                    clientId = value;
                    break;
                default:
                    var colon = value.LastIndexOf(':');
                    if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
                    {
                        error = $"--broker '{value}' is not HOST:PORT with a port in 1..65535";
                        return null;
                    }

                    host = value[..colon].Trim('[', ']');
                    break;
            }
        }

        if (database is null)
        {
            error = "--db is missing";
            return null;
        }

        error = string.Empty;
        return new CentralArguments(new CentralOptions { DatabasePath = database, BrokerHost = host, BrokerPort = port, ClientId = clientId }, exitOnStdinClose);
    }
}
