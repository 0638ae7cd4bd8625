using System.Diagnostics;
using System.Text.Json.Nodes;
using Kiosk.Agent.Configuration;
using Kiosk.TestSupport;

namespace Kiosk.Ctl.Tests;

/// <summary>
/// kioskctl run as its own process, as a technician or a script runs it: <c>dotnet kioskctl.dll ARGS</c> with
/// KIOSK_CONFIG unset (so only --config or the installed location count), stdout and stderr captured.
/// </summary>
internal static class KioskctlProcess
{
    public static Task<KioskctlRun> RunAsync(params string[] args) => RunAsync(KioskctlOptions.Default, args);

    public static Task<KioskctlRun> RunAsync(KioskctlOptions options, params string[] args) =>
        RunProgramAsync("dotnet", options, [Path.Combine(AppContext.BaseDirectory, "kioskctl.dll"), .. args]);

    /// <summary>kioskctl in a fresh empty working folder, deleted afterwards: relative defaults point at nothing.</summary>
    public static async Task<KioskctlRun> RunInEmptyFolderAsync(params string[] args)
    {
        using var workingFolder = new TempFolder("kioskctl-cwd");
        return await RunAsync(new KioskctlOptions { WorkingDirectory = workingFolder.Path }, args);
    }

    /// <summary>Any program, the same way (chown and stat for ownership checks).</summary>
    public static Task<KioskctlRun> RunProgramAsync(string program, params string[] args) => RunProgramAsync(program, KioskctlOptions.Default, args);

    private static async Task<KioskctlRun> RunProgramAsync(string program, KioskctlOptions options, string[] args)
    {
        var start = new ProcessStartInfo(program, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (options.WorkingDirectory is { } folder)
        {
            start.WorkingDirectory = folder;
        }

        foreach (var (name, value) in options.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(options.Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not exit within {options.Timeout}");
        }

        var run = new KioskctlRun(process.ExitCode, await stdout, await stderr);
        TestContext.Progress.WriteLine($"{program} {string.Join(' ', args)} -> {run}");
        return run;
    }
}

/// <summary>How to run kioskctl beyond its arguments.</summary>
internal sealed record KioskctlOptions
{
    public static readonly KioskctlOptions Default = new();

    /// <summary>The working folder (default: the test's).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Variables to set, or to remove when null (default: KIOSK_CONFIG removed, so a developer's own does not count).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?> { [KioskConfigFile.EnvironmentVariable] = null };

    /// <summary>How long the process may run before it is killed and the test fails.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>What one kioskctl run did.</summary>
internal sealed record KioskctlRun(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Stdout as the one JSON value --json prints.</summary>
    public JsonNode Json => JsonNode.Parse(Stdout)!;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}
