using Kiosk.Agent.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

var builder = Host.CreateApplicationBuilder(args);

// An installed kiosk keeps its configuration outside the program folder (install.ps1 sets KIOSK_CONFIG), so an
// upgrade or rollback never touches it; kioskctl init/enroll/config write the same file. Command-line arguments
// still win over it.
if (Environment.GetEnvironmentVariable(KioskConfigFile.EnvironmentVariable) is { Length: > 0 } configFile)
{
    builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
    builder.Configuration.AddCommandLine(args);
}

builder.Services.AddWindowsService(options => options.ServiceName = "KioskAgent");
builder.Services.AddSystemd();
builder.AddKioskAgent();
using var host = builder.Build();
try
{
    await host.RunAsync().ConfigureAwait(false);
}
catch (OptionsValidationException ex)
{
    // A configuration mistake does not go away by restarting: say what to fix and exit with EX_CONFIG (78), which
    // the service unit lists in RestartPreventExitStatus so systemd stops retrying instead of looping every few seconds.
    await Console.Error.WriteLineAsync("kiosk-agent: the configuration is invalid and the agent did not start:").ConfigureAwait(false);
    foreach (var failure in ex.Failures)
    {
        await Console.Error.WriteLineAsync("  " + failure).ConfigureAwait(false);
    }

    await Console.Error.WriteLineAsync($"Fix the file named by {KioskConfigFile.EnvironmentVariable} (kioskctl config validate shows every problem), then start the agent again.").ConfigureAwait(false);
    return 78;
}

return 0;
