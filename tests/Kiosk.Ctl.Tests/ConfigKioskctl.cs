using System.Diagnostics;

namespace Kiosk.Ctl.Tests;

/// <summary>kioskctl run as its own process, as a technician or a script runs it; for the probe and config tests.</summary>
internal static class ConfigKioskctl
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "kioskctl.dll"), .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Remove("KIOSK_CONFIG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var (output, error) = (await stdout, await stderr);
        TestContext.Progress.WriteLine($"kioskctl {string.Join(' ', args)} -> {process.ExitCode}\n{output}{error}");
        return (process.ExitCode, output, error);
    }
}
