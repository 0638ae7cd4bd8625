using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.Agent.Configuration.Editing;
using Spectre.Console;

namespace Kiosk.Ctl.Config;

/// <summary>
/// <c>kioskctl config show|validate|set</c>: the agent's configuration file (<c>--config</c>, else KIOSK_CONFIG, else
/// the installed location), read, checked and changed the way the agent reads and checks it on start. The platform's
/// settings (<c>{Kiosk:DataFolder}/platform-config.json</c>, written by its cmd/config) lie over that file in the agent:
/// show marks the keys they set, validate judges the two together, and set says when the platform's value wins.
/// kioskctl never writes the platform's file.
/// </summary>
internal static class ConfigCommand
{
    public static Command Create()
    {
        var command = new Command("config", "Show, check or change the agent's configuration file (values of Password, Secret, Token and PrivateKey keys are never printed).")
        {
            CreateShow(),
            CreateValidate(),
            CreateSet(),
        };
        return command;
    }

    /// <summary>A subcommand that reads the file: <c>--config</c> and <c>--json</c>, then <paramref name="run"/> on the file loaded.</summary>
    private static Command ReadingCommand(string name, string description, string jsonDescription, Func<ConfigFile, bool, int> run)
    {
        var config = ConfigFile.CreateOption();
        var json = new Option<bool>("--json") { Description = jsonDescription };
        var command = new Command(name, description) { config, json };
        command.SetAction(result =>
            ConfigFile.LoadOrReport(ConfigFile.ResolvePath(result.GetValue(config))) is { } file ? run(file, result.GetValue(json)) : ExitCodes.IoError);
        return command;
    }

    private static Command CreateShow() => ReadingCommand(
        "show",
        "Print the configuration file's keys and values, secrets redacted, and the keys the platform's settings set over them.",
        "Print the file as JSON (secrets redacted) instead of a table; the platform's settings are not in it (a note on stderr says when they set keys).",
        Show);

    private static int Show(ConfigFile file, bool json)
    {
        var platform = file.ReadPlatform();
        if (json)
        {
            Console.Out.WriteLine(file.Redact().ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            if (platform.Settings.Count > 0)
            {
                Console.Error.WriteLine($"note: the platform's settings {platform.Path} set {platform.Settings.Count} key{(platform.Settings.Count == 1 ? "" : "s")} over this file ({string.Join(", ", platform.Settings.Keys)}); 'kioskctl config show' without --json lists them.");
            }

            ReportPlatformNotes(platform);
            return ExitCodes.Ok;
        }

        // The keys of the file in file order, each with the value the agent uses: the platform's where it sets one.
        var table = new Table().AddColumns("key", "value", "set by");
        table.Title = new TableTitle(Markup.Escape(file.Path) + (platform.Settings.Count > 0 ? " + " + Markup.Escape(platform.Path) : ""));
        var fromPlatform = new Dictionary<string, string?>(platform.Settings, StringComparer.OrdinalIgnoreCase);
        var overridden = new List<string>();
        foreach (var (key, value) in ConfigFile.Flatten(file.Root))
        {
            var shown = ConfigFile.IsSecret(key) && value is not null ? ConfigFile.Redacted : ConfigFile.Display(value);
            if (fromPlatform.Remove(key, out var over))
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(over ?? "null"), "platform");
                overridden.Add($"{key} is {shown} in this file; the platform's value wins.");
            }
            else
            {
                table.AddRow(Markup.Escape(key), Markup.Escape(shown), "this file");
            }
        }

        foreach (var (key, value) in fromPlatform)
        {
            table.AddRow(Markup.Escape(key), Markup.Escape(value ?? "null"), "platform");
        }

        AnsiConsole.Write(table);
        foreach (var line in overridden)
        {
            Console.Out.WriteLine("note: " + line);
        }

        ReportPlatformNotes(platform);
        return ExitCodes.Ok;
    }

    /// <summary>What the agent leaves out of the platform's settings, on stderr.</summary>
    private static void ReportPlatformNotes(PlatformConfigOverlay platform)
    {
        if (platform.Problem is { } problem)
        {
            Console.Error.WriteLine($"note: {problem}; the agent ignores that file (the platform's settings), this file applies alone.");
        }

        foreach (var key in platform.Ignored)
        {
            Console.Error.WriteLine($"note: the platform's settings {platform.Path} set {key}, which the agent ignores there: {PlatformConfig.WhyIgnored(key)}");
        }
    }

    private static Command CreateValidate() => ReadingCommand(
        "validate",
        "Check the configuration file as the agent checks it on start and list every problem with its fix (exit 1 when any).",
        "Print one JSON object: file, valid, problems, notes.",
        Validate);

    private static int Validate(ConfigFile file, bool json)
    {
        // The agent starts with this file and the platform's settings over it: both are judged.
        var platform = file.ReadPlatform();
        var verdict = ConfigValidation.Validate(file.EffectiveSettings(platform));
        var what = platform.Settings.Count > 0 ? $"{file.Path} with the platform's settings {platform.Path} over it" : file.Path;
        if (json)
        {
            Output.Json(new { file = file.Path, platformFile = platform.Settings.Count > 0 ? platform.Path : null, valid = verdict.IsValid, problems = verdict.Problems, notes = verdict.Notes });
        }
        else
        {
            if (verdict.IsValid)
            {
                AnsiConsole.MarkupLine($"[green]valid[/]: the agent would start with {Markup.Escape(what)}");
            }
            else
            {
                AnsiConsole.MarkupLine($"[red]{verdict.Problems.Count} problem{(verdict.Problems.Count == 1 ? "" : "s")}[/] in {Markup.Escape(what)}; the agent would refuse to start:");
                foreach (var problem in verdict.Problems)
                {
                    AnsiConsole.MarkupLine($"  - {Markup.Escape(problem)}");
                }
            }

            foreach (var note in verdict.Notes)
            {
                AnsiConsole.MarkupLine($"[yellow]note[/]: {Markup.Escape(note)}");
            }

            ReportPlatformNotes(platform);
        }

        return verdict.IsValid ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    private static Command CreateSet()
    {
        var config = ConfigFile.CreateOption();
        var key = new Argument<string>("KEY") { Description = "The key, sections joined by ':' (e.g. Kiosk:Sync:BrokerPort)." };
        var value = new Argument<string>("VALUE") { Description = "The new value; written as a number or true/false when the key is one, as text otherwise." };
        var force = new Option<bool>("--force") { Description = "Write a key under Kiosk even though the agent does not read it (it will have no effect)." };
        var command = new Command("set", "Change one key: checked as the agent checks it on start before anything is written, then the file is replaced atomically.") { key, value, config, force };
        command.SetAction(result => Set(result.GetValue(key)!, result.GetValue(value)!, ConfigFile.ResolvePath(result.GetValue(config)), result.GetValue(force)));
        return command;
    }

    private static int Set(string key, string raw, string path, bool force)
    {
        if (KioskConfigEditor.CheckKey(key) is { } wrong)
        {
            return Output.Error(wrong, ExitCodes.Usage);
        }

        if (ConfigFile.LoadOrReport(path) is not { } file)
        {
            return ExitCodes.IoError;
        }

        // The same checks as the platform's cmd/config (agent Control/Commands/ConfigCommand.cs): KioskConfigEditor, on
        // the configuration the agent starts with: this file and the platform's settings over it.
        var plan = KioskConfigEditor.Plan(
            file.Document,
            [new KioskConfigEditRequest(key, raw)],
            ConfigValidation.ContentRoot,
            Kiosk.Devices.RealDrivers.All,
            force,
            "The keys are listed in the README's configuration table; --force writes it anyway.",
            overlaidBy: file.ReadPlatform().Settings);
        switch (plan.Outcome)
        {
            case KioskConfigEditOutcome.KeyRefused:
                return Output.Error(plan.Message!, ExitCodes.Usage);
            case KioskConfigEditOutcome.Unchanged:
                var same = plan.Unchanged[0];
                Console.Out.WriteLine($"{same.Key} is already {same.NewText}: {file.Path} is unchanged.");
                WarnIfThePlatformWins(file, key);
                return ExitCodes.Ok;
            case KioskConfigEditOutcome.Unreadable:
                return Output.Error($"refused: {plan.Message} {file.Path} is unchanged.", ExitCodes.CheckFailed);
            case KioskConfigEditOutcome.WouldNotStart:
                Console.Error.WriteLine($"kioskctl: refused: with {plan.Changes[0].Key} = {plan.Changes[0].NewText} the agent would not start:");
                foreach (var problem in plan.Introduced)
                {
                    Console.Error.WriteLine($"  - {problem}");
                }

                Console.Error.WriteLine($"{file.Path} is unchanged.");
                return ExitCodes.CheckFailed;
        }

        var change = plan.Changes[0];
        var after = plan.After!;
        IReadOnlyList<string> notes;
        try
        {
            if (!File.ReadAllBytes(file.Path).AsSpan().SequenceEqual(file.Bytes))
            {
                return Output.Error($"{file.Path} was changed by something else while kioskctl checked it; nothing was written. Run the command again.", ExitCodes.IoError);
            }

            notes = AtomicFile.Replace(file.Path, plan.Bytes!);
        }
        catch (ConfigFileException ex)
        {
            return Output.Error(ex.Message, ExitCodes.IoError);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Output.Error($"cannot read {file.Path} again before writing it: {ex.Message}. Nothing was written.", ExitCodes.IoError);
        }

        Console.Out.WriteLine($"{change.Key}: {change.OldText} -> {change.NewText}");
        foreach (var note in notes)
        {
            Console.Out.WriteLine($"note: {note}");
        }

        if (file.HasComments)
        {
            Console.Out.WriteLine("note: the comments the file had were not kept (JSON comments do not survive a rewrite).");
        }

        if (!after.IsValid)
        {
            Console.Out.WriteLine($"note: {file.Path} still has {after.Problems.Count} problem{(after.Problems.Count == 1 ? "" : "s")} it had before; 'kioskctl config validate' lists them.");
        }

        WarnIfThePlatformWins(file, key);
        Console.Out.WriteLine("The agent reads the file when it starts: restart it to apply the change.");
        return ExitCodes.Ok;
    }

    /// <summary>When the platform's settings set <paramref name="key"/> (or keys below it), the agent uses theirs: say so.</summary>
    private static void WarnIfThePlatformWins(ConfigFile file, string key)
    {
        var platform = file.ReadPlatform();
        var over = platform.Settings
            .Where(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase) || s.Key.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase))
            .ToList();
        foreach (var (setKey, value) in over)
        {
            var shown = ConfigFile.IsSecret(setKey) ? ConfigFile.Redacted : value ?? "null";
            Console.Out.WriteLine($"warning: the platform's settings {platform.Path} set {setKey} = {shown}, and the platform's value wins: the agent keeps using it until the platform removes it (cmd/config \"remove\").");
        }
    }
}
