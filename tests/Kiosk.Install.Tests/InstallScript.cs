using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>
/// Drives <c>install.ps1</c> from tests: builds package folders from the build output of the agent and kioskctl
/// (the test project references both projects with <c>ReferenceOutputAssembly="false"</c>, so they are built
/// first), finds PowerShell 7 and runs the script, and runs any other process with a deadline.
/// <see cref="StagedKiosk"/> names the paths of a kiosk staged with <c>-Root</c> and runs its kioskctl and agent.
/// Meant to be reused by other tests that need an installed kiosk (for example an end-to-end field-path test:
/// stage with -Install, then <c>kioskctl init</c>/<c>enroll</c> through the staged wrapper, then start the agent).
/// </summary>
public static class InstallScript
{
    /// <summary>How to get PowerShell 7 when it is missing (./kiosk.sh test does it).</summary>
    public const string PwshInstallCommand = "dotnet tool install -g PowerShell --version 7.6.9";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>install.ps1 at the repository root.</summary>
    public static string ScriptPath => Path.Combine(RepositoryPaths.Root, "install.ps1");

    /// <summary>The build configuration of this test assembly (Debug unless built with -c Release); the agent and
    /// kioskctl outputs are taken from the same configuration.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>agent/Kiosk.Agent.Host/bin/&lt;configuration&gt;/net10.0: the production agent.</summary>
    public static string AgentBuildFolder => Path.Combine(RepositoryPaths.Root, "agent", "Kiosk.Agent.Host", "bin", Configuration, "net10.0");

    /// <summary>provisioning/Kiosk.Ctl/bin/&lt;configuration&gt;/net10.0.</summary>
    public static string KioskctlBuildFolder => Path.Combine(RepositoryPaths.Root, "provisioning", "Kiosk.Ctl", "bin", Configuration, "net10.0");

    /// <summary>What <c>./kiosk.sh publish</c> writes into package.json's <c>features</c>: what install.ps1 may rely on
    /// the release's agent doing (<c>outbox-key-credential</c>: it reads the outbox key from systemd's credential).</summary>
    public static readonly IReadOnlyList<string> CurrentFeatures = ["outbox-key-credential"];

    /// <summary>deploy/write-package-sums.sh, which ./kiosk.sh publish runs to write a package's SHA256SUMS.</summary>
    public static string PackageSumsScript => Path.Combine(RepositoryPaths.Root, "deploy", "write-package-sums.sh");

    /// <summary>
    /// Makes a package folder at <paramref name="destination"/> (created; must not exist or be empty), as
    /// <c>./kiosk.sh publish</c> lays it out: <c>agent/</c>, <c>kioskctl/</c>, <c>install.ps1</c>, <c>package.json</c>
    /// with <paramref name="version"/> and <paramref name="features"/> (default <see cref="CurrentFeatures"/>; empty: a
    /// package from before features were written), and <c>SHA256SUMS</c> written by the same script as publish's.
    /// Returns <paramref name="destination"/>.
    /// </summary>
    public static string BuildPackage(string destination, string version, PackageContent content = PackageContent.Full, IReadOnlyList<string>? features = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentException.ThrowIfNullOrEmpty(version);
        CopyBuild(AgentBuildFolder, Path.Combine(destination, "agent"), "kiosk-agent", content);
        CopyBuild(KioskctlBuildFolder, Path.Combine(destination, "kioskctl"), "kioskctl", content);
        File.Copy(ScriptPath, Path.Combine(destination, "install.ps1"));
        features ??= CurrentFeatures;
        var manifest = features.Count == 0
            ? new Dictionary<string, object> { ["version"] = version }
            : new Dictionary<string, object> { ["version"] = version, ["features"] = features };
        File.WriteAllText(Path.Combine(destination, "package.json"), JsonSerializer.Serialize(manifest) + "\n");
        WritePackageSums(destination);
        return destination;
    }

    /// <summary>Runs deploy/write-package-sums.sh on a package folder (again after a test changed it on purpose).</summary>
    public static void WritePackageSums(string package)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", [PackageSumsScript, package]) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        // WaitForExitAsync with a token, not WaitForExit(TimeSpan): under libfaketime (the suite's moved-clock run) the
        // timed wait returns false at once, while a timer-driven token keeps to its bound.
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            process.WaitForExitAsync(deadline.Token).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{PackageSumsScript} {package} did not finish within 2 minutes: {error}");
        }

        if (process.ExitCode != 0)
        {
            Assert.Fail($"{PackageSumsScript} {package} failed with exit code {process.ExitCode}: {error}");
        }
    }

    private static void CopyBuild(string source, string destination, string assemblyName, PackageContent content)
    {
        if (!File.Exists(Path.Combine(source, assemblyName + ".dll")))
        {
            Assert.Fail($"{assemblyName}.dll is not in {source}: build it first (dotnet build tests/Kiosk.Install.Tests builds it)");
        }

        Directory.CreateDirectory(destination);
        if (content == PackageContent.Slim)
        {
            foreach (var name in new[] { ".dll", ".runtimeconfig.json", ".deps.json" })
            {
                File.Copy(Path.Combine(source, assemblyName + name), Path.Combine(destination, assemblyName + name));
            }

            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(destination, Path.GetRelativePath(source, folder)));
        }

        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(destination, Path.GetRelativePath(source, file)));
        }
    }

    /// <summary>pwsh on PATH or in ~/.dotnet/tools; fails the test, saying how to install it, when there is none.</summary>
    public static string FindPwsh()
    {
        var pwsh = FindOnPath("pwsh")
            ?? new[] { Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "pwsh") }.FirstOrDefault(File.Exists);
        if (pwsh is null)
        {
            Assert.Fail($"PowerShell 7 (pwsh) is not on PATH nor in ~/.dotnet/tools: install it with `{PwshInstallCommand}` (./kiosk.sh test does)");
        }

        return pwsh!;
    }

    /// <summary>The full path of an executable on PATH, or null.</summary>
    public static string? FindOnPath(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Runs <c>pwsh -NoProfile -NonInteractive -File install.ps1 ARGUMENTS</c>.</summary>
    public static Task<ProcessResult> RunAsync(params string[] arguments) => RunAsync(arguments, environment: null);

    /// <summary>Runs install.ps1 with extra environment variables (a null value removes one) and a deadline
    /// (default 2 minutes; the test fails when it passes).</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment, TimeSpan? timeout = null)
    {
        var variables = new Dictionary<string, string?>
        {
            ["NO_COLOR"] = "1",
            ["POWERSHELL_TELEMETRY_OPTOUT"] = "1",
            ["POWERSHELL_UPDATECHECK"] = "Off",
            // pwsh is short-lived here: a larger first generation and no PGO instrumentation save about a fifth of
            // its CPU time per run, which adds up over the ~25 runs of this test project.
            ["DOTNET_GCgen0size"] = "0x4000000",
            ["DOTNET_TieredPGO"] = "0",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        return RunProcessAsync(FindPwsh(), ["-NoProfile", "-NonInteractive", "-File", ScriptPath, .. arguments], variables, workingDirectory: null, timeout);
    }

    /// <summary>Runs a process to its end and returns its exit code and output; fails the test (after killing the
    /// process tree) when it runs past <paramref name="timeout"/> (default 2 minutes).</summary>
    public static async Task<ProcessResult> RunProcessAsync(
        string fileName,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null,
        TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout ?? DefaultTimeout}:\n{new ProcessResult(-1, await stdout, await stderr)}");
        }

        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}
