using Kiosk.Agent.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
await host.RunAsync().ConfigureAwait(false);
