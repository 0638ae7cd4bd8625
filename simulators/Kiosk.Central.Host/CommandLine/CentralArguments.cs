using System.Globalization;
using Kiosk.Central.Provisioning;

namespace Kiosk.Central.CommandLine;

/// <summary>The command line of the <c>kiosk-central</c> executable.</summary>
internal sealed record CentralArguments(CentralOptions Options, bool ExitWhenStdinCloses)
{
    public const string Usage = """
        usage: kiosk-central --db PATH --signing-key FILE [--broker HOST:PORT] [--client-id ID] [--exit-on-stdin-close]
               kiosk-central --postgres CONNECTION --shared-group NAME --client-id ID --signing-key FILE [--broker HOST:PORT]
                             [--ca-cert FILE --ca-key FILE] [--cert-days N] [--clock-offset SECONDS]
               kiosk-central --db PATH --ca-cert FILE --ca-key FILE --signing-key FILE --issue-token SITE/KIOSK [--token-hours H]
               kiosk-central --db PATH --signing-key FILE [--broker HOST:PORT] --push SITE/KIOSK [--roster FILE] [--policy FILE]
                             [--command NAME [--args FILE]]
               kiosk-central --make-pki DIR
          --db PATH              the simulator's SQLite file (created when missing)
          --postgres CONNECTION  store records in this PostgreSQL database (an Npgsql connection string) instead of --db
          --shared-group NAME    read the kiosks' traffic through the MQTT 5 shared subscription $share/NAME/...: every
                                 instance of the group (each with its own --client-id, all with the same --postgres)
                                 gets a share; needs --postgres, not with enrollment
          --broker HOST:PORT     the MQTT 5 broker (default 127.0.0.1:1883)
          --client-id ID         MQTT client id (default central-simulator)
          --exit-on-stdin-close  also stop when standard input reaches its end (for a parent process holding a pipe)
          --ca-cert, --ca-key    PEM of the CA that issues kiosk certificates, and its key: turns enrollment on
          --signing-key FILE     PEM private key (ECDSA P-256) the platform signs every ack and command with;
                                 enrollment hands kiosks its public key
          --cert-days N          lifetime of issued kiosk certificates in days (default 365)
          --acl-file FILE        the broker's ACL file: each kiosk that enrolls gets its block added (reload the broker)
          --clock-offset SECONDS added to every time the simulator reports (simulates a skewed platform clock)
          --issue-token SITE/KIOSK  print a one-time enrollment token for that kiosk and exit
          --token-hours H        how long the issued token is valid (default 24)
          --push SITE/KIOSK      send that kiosk the --roster and --policy files (cmd/roster, cmd/policy bodies without
                                 commandId), now and again whenever it comes online, print each result, and exit
                                 (0 when all are done)
          --roster FILE          a cmd/roster body (docs/schemas/cmd-roster.schema.json)
          --policy FILE          a cmd/policy body (docs/schemas/cmd-policy.schema.json)
          --command NAME         also send any other command (probe, restart, config, logs, alert-disposition,
                                 renew-certificate, signing-key...), signed, after the roster and policy
          --args FILE            the --command's body without commandId (default {})
          --make-pki DIR         write a simulator PKI (ca.crt, ca.key, command-signing.key, broker.crt, broker.key) and exit
        stops on SIGINT or SIGTERM.
        """;

    private static readonly string[] ValueOptions =
        ["--db", "--broker", "--client-id", "--ca-cert", "--ca-key", "--signing-key", "--cert-days", "--clock-offset", "--issue-token", "--token-hours", "--make-pki", "--push", "--roster", "--policy", "--command", "--args", "--acl-file", "--postgres", "--shared-group"];

    /// <summary>Site and kiosk of <c>--issue-token</c>, or null.</summary>
    public (string SiteId, string KioskId)? IssueTokenFor { get; init; }

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Site and kiosk of <c>--push</c>, or null.</summary>
    public (string SiteId, string KioskId)? PushTo { get; init; }

    /// <summary>The documents <c>--push</c> sends, in order: (command name, file).</summary>
    public IReadOnlyList<(string Command, string File)> PushFiles { get; init; } = [];

    /// <summary>The folder of <c>--make-pki</c>, or null.</summary>
    public string? MakePkiFolder { get; init; }

    /// <summary>Parses the arguments; on failure <paramref name="error"/> names the bad argument.</summary>
    public static CentralArguments? Parse(IReadOnlyList<string> args, out string error)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var exitOnStdinClose = false;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name == "--exit-on-stdin-close")
            {
                exitOnStdinClose = true;
                continue;
            }

            if (!ValueOptions.Contains(name))
            {
                error = $"unknown argument '{name}'";
                return null;
            }

            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal) || args[i + 1].Length == 0)
            {
                error = $"{name} needs a value";
                return null;
            }

            values[name] = args[++i];
        }

        if (values.TryGetValue("--make-pki", out var pkiFolder))
        {
            error = string.Empty;
            return new CentralArguments(new CentralOptions { DatabasePath = "unused" }, false) { MakePkiFolder = pkiFolder };
        }

        var postgres = values.GetValueOrDefault("--postgres");
        if (!values.TryGetValue("--db", out var database) && postgres is null)
        {
            error = "--db is missing (or --postgres)";
            return null;
        }

        var options = new CentralOptions
        {
            DatabasePath = database ?? "",
            ClientId = values.GetValueOrDefault("--client-id", "central-simulator"),
            PostgresConnectionString = postgres,
            SharedSubscriptionGroup = values.GetValueOrDefault("--shared-group"),
        };
        if (values.TryGetValue("--broker", out var broker))
        {
            var colon = broker.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(broker.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                error = $"--broker '{broker}' is not HOST:PORT with a port in 1..65535";
                return null;
            }

            options.BrokerHost = broker[..colon].Trim('[', ']');
            options.BrokerPort = port;
        }

        // The signing key signs every ack and command; with a CA it is also what enrollment hands to kiosks.
        options.SigningKeyFile = values.GetValueOrDefault("--signing-key");
        var enrolling = values.ContainsKey("--ca-cert") || values.ContainsKey("--ca-key");
        options.Provisioning = new ProvisioningOptions
        {
            CaCertificateFile = values.GetValueOrDefault("--ca-cert"),
            CaKeyFile = values.GetValueOrDefault("--ca-key"),
            CommandSigningKeyFile = enrolling ? values.GetValueOrDefault("--signing-key") : null,
            AclFile = values.GetValueOrDefault("--acl-file"),
        };
        if (values.TryGetValue("--cert-days", out var days))
        {
            if (!int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var d) || d is < 1 or > 3650)
            {
                error = $"--cert-days '{days}' is not a number of days in 1..3650";
                return null;
            }

            options.Provisioning.CertificateLifetime = TimeSpan.FromDays(d);
        }

        if (values.TryGetValue("--clock-offset", out var offset))
        {
            if (!int.TryParse(offset, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) || Math.Abs((long)seconds) > 86_400)
            {
                error = $"--clock-offset '{offset}' is not a number of seconds in -86400..86400";
                return null;
            }

            options.ClockOffset = TimeSpan.FromSeconds(seconds);
        }

        (string, string)? issueFor = null;
        if (values.TryGetValue("--issue-token", out var kiosk))
        {
            var parts = kiosk.Split('/');
            if (parts.Length != 2 || !Messages.KioskTopic.IsIdentifier(parts[0]) || !Messages.KioskTopic.IsIdentifier(parts[1]))
            {
                error = $"--issue-token '{kiosk}' is not SITE/KIOSK (each ^[A-Za-z0-9_-]{{1,64}}$)";
                return null;
            }

            if (!options.Provisioning.Enabled)
            {
                error = "--issue-token needs --ca-cert, --ca-key and --signing-key";
                return null;
            }

            issueFor = (parts[0], parts[1]);
        }

        var lifetime = TimeSpan.FromHours(24);
        if (values.TryGetValue("--token-hours", out var hours))
        {
            if (!int.TryParse(hours, NumberStyles.None, CultureInfo.InvariantCulture, out var h) || h is < 1 or > 24 * 30)
            {
                error = $"--token-hours '{hours}' is not a number of hours in 1..720";
                return null;
            }

            lifetime = TimeSpan.FromHours(h);
        }

        (string, string)? pushTo = null;
        var pushFiles = new List<(string, string)>();
        foreach (var command in new[] { "roster", "policy" })
        {
            if (values.TryGetValue("--" + command, out var file))
            {
                pushFiles.Add((command, file));
            }
        }

        if (values.TryGetValue("--command", out var commandName))
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(commandName, "^[a-z][a-z0-9-]{0,31}\\z"))
            {
                error = $"--command '{commandName}' is not a command name (^[a-z][a-z0-9-]{{0,31}}$)";
                return null;
            }

            pushFiles.Add((commandName, values.GetValueOrDefault("--args", "")));
        }
        else if (values.ContainsKey("--args"))
        {
            error = "--args goes with --command NAME";
            return null;
        }

        if (values.TryGetValue("--push", out var target))
        {
            var parts = target.Split('/');
            if (parts.Length != 2 || !Messages.KioskTopic.IsIdentifier(parts[0]) || !Messages.KioskTopic.IsIdentifier(parts[1]))
            {
                error = $"--push '{target}' is not SITE/KIOSK (each ^[A-Za-z0-9_-]{{1,64}}$)";
                return null;
            }

            if (pushFiles.Count == 0)
            {
                error = "--push needs --roster FILE, --policy FILE or --command NAME";
                return null;
            }

            pushTo = (parts[0], parts[1]);
        }
        else if (pushFiles.Count > 0)
        {
            error = "--roster, --policy and --command go with --push SITE/KIOSK";
            return null;
        }

        error = string.Empty;
        return new CentralArguments(options, exitOnStdinClose) { IssueTokenFor = issueFor, TokenLifetime = lifetime, PushTo = pushTo, PushFiles = pushFiles };
    }
}
