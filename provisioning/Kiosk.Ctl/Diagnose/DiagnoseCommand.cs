using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace Kiosk.Ctl.Diagnose;

/// <summary>
/// <c>kioskctl diagnose</c>: DNS, TCP, TLS handshake, certificate chain, name and dates, clock skew against the
/// platform, disk space, outbox integrity and backlog. Every failure says what is wrong and what to do; the exit code is 1 when any check fails.
/// </summary>
internal static class DiagnoseCommand
{
    private static readonly string[] TlsChecks = ["tls handshake", "broker certificate chain", "broker certificate name"];

    public static Command Create()
    {
        var broker = new Option<string?>("--broker") { Description = "Broker as HOST:PORT (default: Kiosk:Sync:BrokerHost and BrokerPort from the configuration)." };
        var ca = new Option<FileInfo?>("--ca") { Description = "PEM of the CA the broker's certificate must chain to (default: Kiosk:Sync:Tls:CaFile)." };
        var cert = new Option<FileInfo?>("--cert") { Description = "This kiosk's certificate (default: Kiosk:Sync:Tls:ClientCertificateFile)." };
        var key = new Option<FileInfo?>("--key") { Description = "This kiosk's private key (default: Kiosk:Sync:Tls:ClientKeyFile)." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "The agent's data folder, for disk, outbox integrity and backlog (default: Kiosk:DataFolder)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var config = Config.ConfigFile.CreateOption();
        var command = new Command("diagnose", "Check the link to the platform and the kiosk's own state; every failure says how to fix it. Without options it checks what the configuration names.") { broker, ca, cert, key, data, json, config };
        command.SetAction(async (result, cancellationToken) =>
        {
            // Each value not given on the command line comes from the configuration file, as the agent would use it
            // (TLS files relative to the data folder); without --broker the file must exist.
            Config.ConfigFile? file = null;
            if (result.GetValue(broker) is null)
            {
                file = Config.ConfigFile.LoadOrReport(Config.ConfigFile.ResolvePath(result.GetValue(config)));
                if (file is null)
                {
                    return ExitCodes.IoError;
                }
            }

            string? Setting(string name) => file?.Settings.GetValueOrDefault(name) is { Length: > 0 } value ? value : null;
            var dataFolder = result.GetValue(data)?.FullName ?? (Setting("Kiosk:DataFolder") is { } folder ? Path.GetFullPath(folder) : null);
            FileInfo? FromConfig(FileInfo? given, string name) =>
                given ?? (Setting(name) is { } path ? new FileInfo(Path.GetFullPath(path, dataFolder ?? Environment.CurrentDirectory)) : null);
            var caFile = FromConfig(result.GetValue(ca), "Kiosk:Sync:Tls:CaFile");
            var certFile = FromConfig(result.GetValue(cert), "Kiosk:Sync:Tls:ClientCertificateFile");
            var keyFile = FromConfig(result.GetValue(key), "Kiosk:Sync:Tls:ClientKeyFile");
            var target = result.GetValue(broker) ?? $"{Setting("Kiosk:Sync:BrokerHost") ?? "127.0.0.1"}:{Setting("Kiosk:Sync:BrokerPort") ?? "8883"}";
            var colon = target.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(target[(colon + 1)..], CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                return Output.Error($"--broker '{target}' is not HOST:PORT", ExitCodes.Usage);
            }

            foreach (var given in new[] { caFile, certFile, keyFile })
            {
                if (given is { Exists: false })
                {
                    return Output.Error($"{given.FullName} does not exist" + (file is null ? "" : $" (named in {file.Path}; run 'kioskctl enroll' to write it)"), ExitCodes.Usage);
                }
            }

            var checks = new List<DiagnosticCheck>();
            checks.AddRange(await BrokerChecks.RunAsync(target[..colon], port, caFile?.FullName, certFile?.FullName, keyFile?.FullName, TimeProvider.System, cancellationToken).ConfigureAwait(false));
            if (caFile is not null && certFile is not null && keyFile is not null && TlsWorks(checks))
            {
                checks.Add(await ClockCheck.RunAsync(target[..colon], port, caFile.FullName, certFile.FullName, keyFile.FullName, cancellationToken).ConfigureAwait(false));
            }

            if (dataFolder is not null)
            {
                checks.AddRange(LocalChecks.Run(dataFolder, TimeProvider.System));
            }

            var healthy = checks.All(c => c.Ok);
            if (result.GetValue(json))
            {
                Output.Json(new { healthy, checks });
            }
            else
            {
                var table = new Table().AddColumns("check", "", "found", "what to do");
                foreach (var check in checks)
                {
                    table.AddRow(Markup.Escape(check.Name), check.Ok ? "[green]ok[/]" : "[red]FAIL[/]", Markup.Escape(check.Detail), Markup.Escape(check.Fix ?? ""));
                }

                AnsiConsole.Write(table);
            }

            return healthy ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    /// <summary>The clock is asked over the same mutual TLS the agent uses, so only once that is known to work.</summary>
    private static bool TlsWorks(List<DiagnosticCheck> checks) =>
        TlsChecks.All(name => checks.Any(c => c.Name == name && c.Ok));
}
