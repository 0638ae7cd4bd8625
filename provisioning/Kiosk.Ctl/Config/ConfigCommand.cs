using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Spectre.Console;

namespace Kiosk.Ctl.Config;

/// <summary>
/// <c>kioskctl config show|validate|set</c>: the agent's configuration file (<c>--config</c>, else KIOSK_CONFIG, else
/// the installed location), read, checked and changed the way the agent reads and checks it on start.
/// </summary>
internal static class ConfigCommand
{
    /// <summary>A value no option converts to a number, a boolean, a duration or a list item: what the binder says about it names the option's type.</summary>
    private const string TypeProbe = "\u0001kioskctl-type-probe";

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
        "Print the configuration file's keys and values, secrets redacted.",
        "Print the file as JSON (secrets redacted) instead of a table.",
        Show);

    private static int Show(ConfigFile file, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(file.Redact().ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("key", "value");
        table.Title = new TableTitle(Markup.Escape(file.Path));
        foreach (var (key, value) in ConfigFile.Flatten(file.Root))
        {
            table.AddRow(Markup.Escape(key), Markup.Escape(ConfigFile.IsSecret(key) && value is not null ? ConfigFile.Redacted : ConfigFile.Display(value)));
        }

        AnsiConsole.Write(table);
        return ExitCodes.Ok;
    }

    private static Command CreateValidate() => ReadingCommand(
        "validate",
        "Check the configuration file as the agent checks it on start and list every problem with its fix (exit 1 when any).",
        "Print one JSON object: file, valid, problems, notes.",
        Validate);

    private static int Validate(ConfigFile file, bool json)
    {
        var verdict = ConfigValidation.Validate(file.Settings);
        if (json)
        {
            Output.Json(new { file = file.Path, valid = verdict.IsValid, problems = verdict.Problems, notes = verdict.Notes });
        }
        else
        {
            if (verdict.IsValid)
            {
                AnsiConsole.MarkupLine($"[green]valid[/]: the agent would start with {Markup.Escape(file.Path)}");
            }
            else
            {
                AnsiConsole.MarkupLine($"[red]{verdict.Problems.Count} problem{(verdict.Problems.Count == 1 ? "" : "s")}[/] in {Markup.Escape(file.Path)}; the agent would refuse to start:");
                foreach (var problem in verdict.Problems)
                {
                    AnsiConsole.MarkupLine($"  - {Markup.Escape(problem)}");
                }
            }

            foreach (var note in verdict.Notes)
            {
                AnsiConsole.MarkupLine($"[yellow]note[/]: {Markup.Escape(note)}");
            }
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
        string[] segments;
        try
        {
            segments = ConfigEdit.Split(key);
        }
        catch (ConfigKeyException ex)
        {
            return Output.Error(ex.Message, ExitCodes.Usage);
        }

        if (!ConfigValidation.Sections.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
        {
            return Output.Error($"'{key}' is not in a section the agent reads: the configuration file has the sections {string.Join(" and ", ConfigValidation.Sections)} (e.g. Kiosk:Sync:BrokerPort, Logging:LogLevel:Default).", ExitCodes.Usage);
        }

        if (ConfigFile.LoadOrReport(path) is not { } file)
        {
            return ExitCodes.IoError;
        }

        // What the agent makes of this key: whether it reads it at all, how it spells it, and what type it wants.
        var probe = new Dictionary<string, string?>(file.Settings.Where(s => !IsAtOrBelow(s.Key, key)), StringComparer.OrdinalIgnoreCase) { [key] = TypeProbe };
        var shape = KioskConfigurationCheck.Check(probe, ConfigValidation.ContentRoot, Kiosk.Devices.RealDrivers.All);
        var known = shape.ReadKeys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
        var isKiosk = string.Equals(segments[0], "Kiosk", StringComparison.OrdinalIgnoreCase);
        if (isKiosk && known is null && !force)
        {
            var suggestion = ConfigValidation.Closest(key, shape.ReadKeys);
            return Output.Error(
                $"'{key}' is not a key the agent reads, so setting it would have no effect{(suggestion is null ? "" : $" (did you mean {suggestion}?)")}. "
                + "The keys are listed in the README's configuration table; --force writes it anyway.",
                ExitCodes.Usage);
        }

        var target = shape.ConversionFailures.FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase))?.TargetType;
        var root = (JsonObject)file.Root.DeepClone();
        string written;
        JsonNode? old;
        JsonNode typed;
        try
        {
            var existing = Find(file.Root, segments);
            typed = ConfigEdit.Typed(raw, existing, target);
            (written, old) = ConfigEdit.Apply(root, segments, known?.Split(':'), typed);
        }
        catch (ConfigKeyException ex)
        {
            return Output.Error(ex.Message, ExitCodes.Usage);
        }

        var secret = ConfigFile.IsSecret(written);
        var oldText = old is null ? "(not set)" : secret ? ConfigFile.Redacted : ConfigFile.Display(old);
        var newText = secret ? ConfigFile.Redacted : ConfigFile.Display(typed);
        if (old is not null && JsonNode.DeepEquals(old, typed))
        {
            Console.Out.WriteLine($"{written} is already {newText}: {file.Path} is unchanged.");
            return ExitCodes.Ok;
        }

        var bytes = file.Serialize(root);
        ConfigFile changed;
        try
        {
            changed = ConfigFile.Parse(file.Path, bytes);
        }
        catch (ConfigFileException ex)
        {
            return Output.Error($"refused: {ex.Message} {file.Path} is unchanged.", ExitCodes.CheckFailed);
        }

        // Refuse what this change breaks; problems the file already had are reported but do not block a fix of another key.
        var before = ConfigValidation.Validate(file.Settings);
        var after = ConfigValidation.Validate(changed.Settings);
        var introduced = after.Problems.Except(before.Problems).ToList();
        if (introduced.Count > 0)
        {
            Console.Error.WriteLine($"kioskctl: refused: with {written} = {newText} the agent would not start:");
            foreach (var problem in introduced)
            {
                Console.Error.WriteLine($"  - {problem}");
            }

            Console.Error.WriteLine($"{file.Path} is unchanged.");
            return ExitCodes.CheckFailed;
        }

        IReadOnlyList<string> notes;
        try
        {
            if (!File.ReadAllBytes(file.Path).AsSpan().SequenceEqual(file.Bytes))
            {
                return Output.Error($"{file.Path} was changed by something else while kioskctl checked it; nothing was written. Run the command again.", ExitCodes.IoError);
            }

            notes = AtomicFile.Replace(file.Path, bytes);
        }
        catch (ConfigFileException ex)
        {
            return Output.Error(ex.Message, ExitCodes.IoError);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Output.Error($"cannot read {file.Path} again before writing it: {ex.Message}. Nothing was written.", ExitCodes.IoError);
        }

        Console.Out.WriteLine($"{written}: {oldText} -> {newText}");
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

        Console.Out.WriteLine("The agent reads the file when it starts: restart it to apply the change.");
        return ExitCodes.Ok;
    }

    /// <summary>Whether <paramref name="candidate"/> is <paramref name="key"/> or a key below it.</summary>
    private static bool IsAtOrBelow(string candidate, string key) =>
        string.Equals(candidate, key, StringComparison.OrdinalIgnoreCase) || candidate.StartsWith(key + ":", StringComparison.OrdinalIgnoreCase);

    /// <summary>The node at <paramref name="segments"/>, matching names as the configuration does (ignoring case), or null.</summary>
    private static JsonNode? Find(JsonNode root, string[] segments)
    {
        JsonNode? current = root;
        foreach (var segment in segments)
        {
            current = current switch
            {
                JsonObject obj => obj.FirstOrDefault(p => string.Equals(p.Key, segment, StringComparison.OrdinalIgnoreCase)).Value,
                JsonArray array when int.TryParse(segment, System.Globalization.CultureInfo.InvariantCulture, out var i) && i >= 0 && i < array.Count => array[i],
                _ => null,
            };
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }
}
