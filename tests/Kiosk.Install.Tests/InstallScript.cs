using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Kiosk.TestSupport;

namespace Kiosk.Install.Tests;

/// <summary>The exit code and output of a process a test ran.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Standard output followed by standard error.</summary>
    public string Output => StandardOutput + StandardError;

    /// <summary>Standard output, line by line.</summary>
    public IReadOnlyList<string> Lines => StandardOutput.Split('\n').Select(line => line.TrimEnd('\r')).ToList();

    /// <summary>The last non-empty line of standard output (install.ps1's one-line summary).</summary>
    public string LastLine => Lines.LastOrDefault(line => line.Length > 0) ?? string.Empty;

    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
}

/// <summary>What a package made by <see cref="InstallScript.BuildPackage"/> holds.</summary>
public enum PackageContent
{
    /// <summary>The whole build output of the agent and kioskctl (~300 MB): runnable, like ./kiosk.sh publish.</summary>
    Full,

    /// <summary>Only the files install.ps1 checks (entry assemblies, runtimeconfig, deps): for tests of install,
    /// upgrade, rollback and uninstall that never run the program. Fast to copy; not runnable.</summary>
    Slim,
}

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

    /// <summary>
    /// Makes a package folder at <paramref name="destination"/> (created; must not exist or be empty), as
    /// <c>./kiosk.sh publish</c> lays it out: <c>agent/</c>, <c>kioskctl/</c> and <c>package.json</c> with
    /// <paramref name="version"/>. Returns <paramref name="destination"/>.
    /// </summary>
    public static string BuildPackage(string destination, string version, PackageContent content = PackageContent.Full)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        ArgumentException.ThrowIfNullOrEmpty(version);
        CopyBuild(AgentBuildFolder, Path.Combine(destination, "agent"), "kiosk-agent", content);
        CopyBuild(KioskctlBuildFolder, Path.Combine(destination, "kioskctl"), "kioskctl", content);
        File.WriteAllText(Path.Combine(destination, "package.json"), JsonSerializer.Serialize(new Dictionary<string, string> { ["version"] = version }) + "\n");
        return destination;
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

/// <summary>
/// A kiosk staged by <c>install.ps1 -Root <see cref="Root"/></c>: its paths (on an installed machine the same paths
/// without the prefix), the script's actions on it, and its kioskctl and agent run from the staging folder.
/// </summary>
public sealed class StagedKiosk(string root)
{
    /// <summary>The -Root folder.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>&lt;Root&gt;/opt/kiosk.</summary>
    public string ProgramFolder => Path.Combine(Root, "opt", "kiosk");

    /// <summary>&lt;Root&gt;/opt/kiosk/releases: one folder per kept version.</summary>
    public string Releases => Path.Combine(ProgramFolder, "releases");

    /// <summary>&lt;Root&gt;/opt/kiosk/current: symlink to the running release.</summary>
    public string Current => Path.Combine(ProgramFolder, "current");

    /// <summary>&lt;Root&gt;/opt/kiosk/previous: symlink to the release -Rollback returns to.</summary>
    public string Previous => Path.Combine(ProgramFolder, "previous");

    /// <summary>&lt;Root&gt;/etc/kiosk.</summary>
    public string ConfigFolder => Path.Combine(Root, "etc", "kiosk");

    /// <summary>&lt;Root&gt;/etc/kiosk/agent.json, the file KIOSK_CONFIG names.</summary>
    public string ConfigFile => Path.Combine(ConfigFolder, "agent.json");

    /// <summary>&lt;Root&gt;/etc/kiosk/pki: device key and certificates.</summary>
    public string PkiFolder => Path.Combine(ConfigFolder, "pki");

    /// <summary>&lt;Root&gt;/var/lib/kiosk: the agent's data (Kiosk:DataFolder).</summary>
    public string DataFolder => Path.Combine(Root, "var", "lib", "kiosk");

    /// <summary>&lt;Root&gt;/var/log/kiosk.</summary>
    public string LogFolder => Path.Combine(Root, "var", "log", "kiosk");

    /// <summary>&lt;Root&gt;/etc/systemd/system/kiosk-agent.service.</summary>
    public string UnitFile => Path.Combine(Root, "etc", "systemd", "system", "kiosk-agent.service");

    /// <summary>&lt;Root&gt;/usr/local/bin/kioskctl, the wrapper script.</summary>
    public string Kioskctl => Path.Combine(Root, "usr", "local", "bin", "kioskctl");

    /// <summary>The version current points at (its link's last segment), or null without the link.</summary>
    public string? CurrentVersion => LinkVersion(Current);

    /// <summary>The version previous points at, or null without the link.</summary>
    public string? PreviousVersion => LinkVersion(Previous);

    private static string? LinkVersion(string link) =>
        new DirectoryInfo(link).LinkTarget is { } target ? Path.GetFileName(target.TrimEnd('/')) : null;

    /// <summary>install.ps1 -Install -Package PACKAGE -Root ROOT EXTRA.</summary>
    public Task<ProcessResult> InstallAsync(string package, params string[] extra) =>
        InstallScript.RunAsync(["-Install", "-Package", package, "-Root", Root, .. extra]);

    /// <summary>install.ps1 -Upgrade -Package PACKAGE -Root ROOT EXTRA.</summary>
    public Task<ProcessResult> UpgradeAsync(string package, params string[] extra) =>
        InstallScript.RunAsync(["-Upgrade", "-Package", package, "-Root", Root, .. extra]);

    /// <summary>install.ps1 -Rollback -Root ROOT EXTRA.</summary>
    public Task<ProcessResult> RollbackAsync(params string[] extra) =>
        InstallScript.RunAsync(["-Rollback", "-Root", Root, .. extra]);

    /// <summary>install.ps1 -Uninstall [-PurgeData] -Root ROOT.</summary>
    public Task<ProcessResult> UninstallAsync(bool purgeData = false) =>
        InstallScript.RunAsync(purgeData ? ["-Uninstall", "-PurgeData", "-Root", Root] : ["-Uninstall", "-Root", Root]);

    /// <summary>Runs the staged kioskctl wrapper (it exports KIOSK_CONFIG=&lt;Root&gt;/etc/kiosk/agent.json unless set).</summary>
    public Task<ProcessResult> RunKioskctlAsync(params string[] arguments) =>
        InstallScript.RunProcessAsync(Kioskctl, arguments, new Dictionary<string, string?> { ["KIOSK_CONFIG"] = null }, DataFolder, TimeSpan.FromMinutes(1));

    /// <summary>Runs the staged agent as the unit does: <c>dotnet current/agent/kiosk-agent.dll</c> in the data folder
    /// with KIOSK_CONFIG naming the staged configuration, until it exits or <paramref name="timeout"/> passes.</summary>
    public Task<ProcessResult> RunAgentAsync(TimeSpan timeout, IReadOnlyDictionary<string, string?>? environment = null, params string[] arguments)
    {
        var variables = new Dictionary<string, string?> { ["KIOSK_CONFIG"] = ConfigFile };
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[key] = value;
        }

        var dotnet = InstallScript.FindOnPath("dotnet") ?? "dotnet";
        return InstallScript.RunProcessAsync(dotnet, [Path.Combine(Current, "agent", "kiosk-agent.dll"), .. arguments], variables, DataFolder, timeout);
    }
}
