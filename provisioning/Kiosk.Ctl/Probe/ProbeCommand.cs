using System.CommandLine;
using System.Diagnostics;
using Kiosk.Ctl.Config;
using Kiosk.Devices;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace Kiosk.Ctl.Probe;

/// <summary>
/// <c>kioskctl probe</c>: lists the cameras, serial ports, GPIO chips, audio devices and scanners this machine has,
/// then builds the configured devices as the agent does, opens and checks each, and says which are not healthy and
/// what to do. Exit 0 when every configured device is healthy, 1 when any is not, 3 when the configuration is unusable.
/// </summary>
internal static class ProbeCommand
{
    public static Command Create()
    {
        var config = ConfigFile.CreateOption();
        var json = new Option<bool>("--json") { Description = "Print one JSON object (discovered, devices, healthy, notes) instead of tables." };
        var level = new Option<string>("--level")
        {
            Description = "quick: open each device and run its internal check only; full: also exchange with the hardware (a frame, the SAM id, a moment of audio). Default full.",
            DefaultValueFactory = _ => "full",
        };
        level.AcceptOnlyFromAmong("quick", "full");
        var command = new Command("probe", "Find the kiosk's devices and check every configured one; each problem comes with what to do.") { config, json, level };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (ConfigFile.LoadOrReport(ConfigFile.ResolvePath(result.GetValue(config))) is not { } file)
            {
                return ExitCodes.IoError;
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(file.Settings).Build();
            Agent.Devices.DeviceSelection selection;
            try
            {
                selection = DeviceProbe.Select(configuration);
            }
            catch (InvalidOperationException ex)
            {
                return Output.Error($"the devices in {file.Path} cannot be read: {ex.Message} Run 'kioskctl config validate' for every problem and its fix.", ExitCodes.IoError);
            }

            var healthLevel = result.GetValue(level) == "quick" ? HealthCheckLevel.Internal : HealthCheckLevel.External;
            var discovery = new Discovery();
            var sane = selection[DeviceClass.DocumentScanner].Driver == "Sane";
            var scanimage = sane && configuration["Kiosk:Devices:Sane:ScanimagePath"] is { Length: > 0 } path ? path : "scanimage";

            // scanimage -L takes seconds, so it runs while the devices are checked, unless the SANE driver needs the scanner itself.
            Task<Discovered>? found = sane ? null : discovery.RunAsync(DeviceProbe.SerialPorts(selection), scanimage, cancellationToken);
            var devices = await DeviceProbe.RunAsync(selection, healthLevel, ConfigValidation.ContentRoot, cancellationToken).ConfigureAwait(false);
            var discovered = await (found ?? discovery.RunAsync(DeviceProbe.SerialPorts(selection), scanimage, cancellationToken)).ConfigureAwait(false);

            var notes = new List<string>(discovery.Notes);
            if (RunningAgent() is { } pid)
            {
                notes.Insert(0, $"the agent is running (pid {pid}) and holds the devices it opened: probing them can fail or disturb a check-in in progress. Stop the agent before probing.");
            }

            var healthy = devices.All(d => d.Health is DeviceRow.Ok or DeviceRow.NotFitted);
            if (result.GetValue(json))
            {
                Output.Json(new { discovered, devices, healthy, notes });
            }
            else
            {
                Print(file.Path, discovered, devices, notes, healthLevel);
            }

            return healthy ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static void Print(string path, Discovered discovered, IReadOnlyList<DeviceRow> devices, List<string> notes, HealthCheckLevel level)
    {
        var found = new Table().AddColumns("found on this machine", "where", "what");
        AddFound(found, "cameras", discovered.Cameras.Select(c => (c.Path, $"{c.Name}{(c.Index is { } i ? $" (node {i})" : "")}{(c.ById is null ? "" : $", {c.ById}")}")));
        AddFound(found, "serial ports", discovered.SerialPorts.Select(p => (p.Path, $"{p.Kind}: {p.Name}{(p.ById is null ? "" : $", {p.ById}")}")));
        AddFound(found, "GPIO chips", discovered.GpioChips.Select(g => (g.Path, $"{g.Label}{(g.Lines is { } n ? $", {n} lines" : "")}")));
        AddFound(found, "audio", discovered.Audio.Select(a => (a.Alsa, $"{a.Card}: {a.Name} ({string.Join(", ", new[] { a.Capture ? "capture" : null, a.Playback ? "playback" : null }.OfType<string>())})")));
        AddFound(found, "scanners", discovered.Scanners.Select(s => (s.Device, s.Description)));
        AnsiConsole.Write(found);

        var fixes = devices.Any(d => d.Fix is not null);
        var table = new Table().AddColumns("device", "driver", "where", "status", "health", "found");
        if (fixes)
        {
            table.AddColumn("what to do");
        }

        table.Title = new TableTitle($"configured in {Markup.Escape(path)} ({(level == HealthCheckLevel.Internal ? "quick" : "full")} check)");
        foreach (var d in devices)
        {
            var colour = d.Health switch { DeviceRow.Ok => "green", DeviceRow.NotFitted => "grey", DeviceRow.Degraded => "yellow", _ => "red" };
            string[] cells = [Markup.Escape(d.Class), Markup.Escape(d.Driver), Markup.Escape(d.Location), Markup.Escape(d.Status), $"[{colour}]{d.Health}[/]", Markup.Escape(d.Detail)];
            table.AddRow(fixes ? [.. cells, Markup.Escape(d.Fix ?? "")] : cells);
        }

        AnsiConsole.Write(table);
        foreach (var note in notes)
        {
            AnsiConsole.MarkupLine($"[yellow]note[/]: {Markup.Escape(note)}");
        }

        var bad = devices.Where(d => d.Health is not (DeviceRow.Ok or DeviceRow.NotFitted)).Select(d => d.Class).ToList();
        AnsiConsole.MarkupLine(bad.Count == 0
            ? $"[green]all {devices.Count} configured devices are healthy[/]"
            : $"[red]{bad.Count} of {devices.Count} configured devices are not healthy[/]: {Markup.Escape(string.Join(", ", bad))}");
    }

    private static void AddFound(Table table, string kind, IEnumerable<(string Where, string What)> items)
    {
        var any = false;
        foreach (var (where, what) in items)
        {
            table.AddRow(any ? "" : kind, Markup.Escape(where), Markup.Escape(what));
            any = true;
        }

        if (!any)
        {
            table.AddRow(kind, "[grey]none found[/]", "");
        }
    }

    /// <summary>The pid of a running kiosk-agent (service or dotnet kiosk-agent.dll), or null.</summary>
    private static int? RunningAgent()
    {
        if (!OperatingSystem.IsLinux())
        {
            var processes = Process.GetProcessesByName("kiosk-agent");
            try
            {
                return processes.FirstOrDefault()?.Id;
            }
            finally
            {
                Array.ForEach(processes, p => p.Dispose());
            }
        }

        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), System.Globalization.CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var arguments = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
                if (arguments.Length > 0 && (Path.GetFileName(arguments[0]) == "kiosk-agent" || (arguments.Length > 1 && Path.GetFileName(arguments[1]) == "kiosk-agent.dll")))
                {
                    return pid;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // gone meanwhile, or not ours to read
            }
        }

        return null;
    }
}
