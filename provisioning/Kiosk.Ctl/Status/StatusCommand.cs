using System.CommandLine;
using System.Globalization;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.LocalApi;
using Spectre.Console;

namespace Kiosk.Ctl.Status;

/// <summary>
/// <c>kioskctl status</c>: asks the running agent (its loopback local API, <c>GET /api/status</c>) who it is, how long
/// it has run, how its broker link, backlog and devices are. Exit 0 healthy; 1 degraded (broker not connected, backlog
/// older than an hour, outbox above its warning mark, a device not healthy), each problem said; 3 agent not running.
/// </summary>
internal static class StatusCommand
{
    public static Option<string?> UrlOption() => new("--url") { Description = $"The agent's local API, e.g. {LocalApiOptions.DefaultUrl} (default: <DataFolder>/{LocalApiUrlFile.FileName} of the running agent, else Kiosk:LocalApi:Url)." };

    /// <summary>
    /// A command that asks the running agent: <c>--config</c>, <c>--data</c> and <c>--url</c> find its local API,
    /// <c>--json</c> chooses the output, and <paramref name="run"/> gets a client for it and where its address came from.
    /// When the agent cannot be found or reached, the command says so and what to do, with the exception's exit code.
    /// </summary>
    internal static Command AgentApiCommand(string name, string description, string jsonDescription, Func<LocalApiClient, string, bool, CancellationToken, Task<int>> run)
    {
        var config = AgentLocation.ConfigOption();
        var data = AgentLocation.DataOption();
        var url = UrlOption();
        var json = new Option<bool>("--json") { Description = jsonDescription };
        var command = new Command(name, description) { config, data, url, json };
        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var location = AgentLocation.Resolve(result.GetValue(config), result.GetValue(data));
                var (address, source) = location.ApiUrl(result.GetValue(url));
                using var client = new LocalApiClient(address, source, LocalApiToken.Read(location.DataFolder), LocalApiToken.PathIn(location.DataFolder));
                return await run(client, source, result.GetValue(json), cancellationToken).ConfigureAwait(false);
            }
            catch (AgentLocationException ex)
            {
                return Output.Error(ex.Message, ex.ExitCode);
            }
        });
        return command;
    }

    public static Command Create() => AgentApiCommand(
        "status",
        "Show the running agent: identity, version, uptime, broker link, backlog and devices; exit 1 when degraded.",
        "Print the agent's status as one JSON object instead of tables.",
        async (client, source, json, cancellationToken) =>
        {
            var (text, status) = await client.GetAsync<AgentStatusReport>("/api/status", cancellationToken).ConfigureAwait(false);
            if (status.SiteId is null || status.Broker is null || status.Outbox is null)
            {
                return Output.Error($"{client.Url} answered, but not as the kiosk agent does: another program may hold the port (address from {source})", ExitCodes.IoError);
            }

            if (json)
            {
                JsonOut.PrintRaw(text);
            }
            else
            {
                Print(status, client.Url);
            }

            return status.Healthy ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });

    private static void Print(AgentStatusReport status, Uri address)
    {
        Human.WidenTablesWhenRedirected();
        var broker = status.Broker;
        var outbox = status.Outbox;
        var sync = status.Sync;
        var oldLimit = TimeSpan.FromHours(1);
        var table = new Table().HideHeaders().AddColumns("", "");
        table.AddRow("kiosk", Markup.Escape($"{status.SiteId} / {status.KioskId} (profile {status.Profile})"));
        table.AddRow("agent", Markup.Escape($"version {status.AgentVersion}, up {Human.Duration(TimeSpan.FromSeconds(status.UptimeS))} (since {Human.Time(status.StartedAt)}), boot {status.BootId}"));
        table.AddRow("local API", Markup.Escape(address.GetLeftPart(UriPartial.Authority)));
        var link = $"{broker.Host}:{broker.Port.ToString(CultureInfo.InvariantCulture)} ({(broker.Tls ? "mutual TLS" : "plain TCP")})";
        table.AddRow("broker", broker.Connected
            ? $"[green]connected[/] to {Markup.Escape(link)} since {Markup.Escape(Human.Time(broker.LastConnectedAt))}"
            : $"[red]not connected[/] to {Markup.Escape(link)}: {Markup.Escape(broker.LastError ?? "connecting")}; last connected {Markup.Escape(Human.Time(broker.LastConnectedAt))}");
        var age = outbox.OldestAgeS is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var backlog = outbox.Records == 0
            ? "nothing waiting"
            : Markup.Escape($"{outbox.Records} records ({outbox.CheckIns} check-ins, {outbox.Alerts} alerts), {Human.Bytes(outbox.Bytes)}; the oldest waits for ")
              + (age > oldLimit ? $"[red]{Markup.Escape(Human.Duration(age.Value))}[/]" : Markup.Escape(Human.Duration(age ?? TimeSpan.Zero)));
        var budget = string.Create(CultureInfo.InvariantCulture, $"{outbox.UsedPercent}% of the {Human.Bytes(outbox.BudgetBytes)} budget used");
        table.AddRow("backlog", backlog + "; " + (outbox.Warning ? $"[red]{Markup.Escape(budget)}[/]" : Markup.Escape(budget)));
        if (broker.ClientCertificateNotAfter is { } notAfter)
        {
            table.AddRow("certificate", Markup.Escape($"this kiosk's, valid until {Human.Time(notAfter)}"));
        }

        if (outbox.Quarantined > 0)
        {
            table.AddRow("quarantined", $"[red]{Markup.Escape($"{outbox.Quarantined} records held back for staff (kioskctl queue list says why)")}[/]");
        }

        table.AddRow("roster", status.Roster.Loaded ? "[green]received from the platform[/]" : "[red]none yet: no check-ins until the platform sends it[/]");
        table.AddRow("sync", Markup.Escape($"{sync.Published} sent, {sync.Acknowledged} acknowledged, {sync.Resent} sent again, {sync.InFlight} awaiting acknowledgement; {sync.MalformedAcks} malformed acks, {sync.AckIdsIgnored} acknowledged ids that deleted nothing"));
        table.AddRow("clock", status.ClockOffsetMs is { } offset
            ? Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"the platform's clock is {offset / 1000.0:+0.0;-0.0;0.0} s from this kiosk's"))
            : "not known yet (learned from the platform's first acknowledgement)");
        AnsiConsole.Write(table);

        var devices = new Table().AddColumns("device", "status", "model", "in use by");
        foreach (var device in status.Devices)
        {
            devices.AddRow(
                Markup.Escape(device.Name == device.DeviceClass ? device.Name : $"{device.Name} ({device.DeviceClass})"),
                device.Healthy ? $"[green]{Markup.Escape(device.Status)}[/]" : $"[red]{Markup.Escape(device.Status)}[/]",
                Markup.Escape(device.Model), Markup.Escape(device.ClaimedBy ?? ""));
        }

        AnsiConsole.Write(devices);
        if (status.Healthy)
        {
            AnsiConsole.MarkupLine("[green]healthy[/]");
            return;
        }

        AnsiConsole.MarkupLine("[red]degraded:[/]");
        foreach (var problem in status.Problems)
        {
            AnsiConsole.MarkupLine($"  - {Markup.Escape(problem)}");
        }
    }
}
