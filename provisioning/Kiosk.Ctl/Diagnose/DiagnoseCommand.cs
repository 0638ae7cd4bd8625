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
        var broker = new Option<string>("--broker") { Description = "Broker as HOST:PORT (Kiosk:Sync:BrokerHost and BrokerPort).", Required = true };
        var ca = new Option<FileInfo?>("--ca") { Description = "PEM of the CA the broker's certificate must chain to (Kiosk:Sync:Tls:CaFile)." };
        var cert = new Option<FileInfo?>("--cert") { Description = "This kiosk's certificate (Kiosk:Sync:Tls:ClientCertificateFile)." };
        var key = new Option<FileInfo?>("--key") { Description = "This kiosk's private key (Kiosk:Sync:Tls:ClientKeyFile)." };
        var data = new Option<DirectoryInfo?>("--data") { Description = "The agent's data folder (Kiosk:DataFolder), for disk, outbox integrity and backlog." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var command = new Command("diagnose", "Check the link to the platform and the kiosk's own state; every failure says how to fix it.") { broker, ca, cert, key, data, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            var target = result.GetValue(broker)!;
            var colon = target.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(target[(colon + 1)..], CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                return Output.Error($"--broker '{target}' is not HOST:PORT", ExitCodes.Usage);
            }

            foreach (var file in new[] { result.GetValue(ca), result.GetValue(cert), result.GetValue(key) })
            {
                if (file is { Exists: false })
                {
                    return Output.Error($"{file.FullName} does not exist", ExitCodes.Usage);
                }
            }

            var checks = new List<DiagnosticCheck>();
            checks.AddRange(await BrokerChecks.RunAsync(target[..colon], port, result.GetValue(ca)?.FullName, result.GetValue(cert)?.FullName, result.GetValue(key)?.FullName, TimeProvider.System, cancellationToken).ConfigureAwait(false));
            if (result.GetValue(ca) is { } caFile && result.GetValue(cert) is { } certFile && result.GetValue(key) is { } keyFile && TlsWorks(checks))
            {
                checks.Add(await ClockCheck.RunAsync(target[..colon], port, caFile.FullName, certFile.FullName, keyFile.FullName, cancellationToken).ConfigureAwait(false));
            }

            if (result.GetValue(data) is { } folder)
            {
                checks.AddRange(LocalChecks.Run(folder.FullName, TimeProvider.System));
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
