using Kiosk.Agent.Configuration;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Devices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

return await AgentRun.RunAsync(() =>
{
    // The content root is the program's own folder, never the working directory: the service runs in its writable data
    // folder, and an appsettings.json planted there must not be read as configuration.
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });

    // An installed kiosk keeps its configuration outside the program folder (install.ps1 sets KIOSK_CONFIG), so an
    // upgrade or rollback never touches it; kioskctl init/enroll/config write the same file. Over it lie the platform's
    // settings ({DataFolder}/platform-config.json, written by cmd/config; keys of the deny list are left out), and
    // command-line arguments still win over both.
    if (Environment.GetEnvironmentVariable(KioskConfigFile.EnvironmentVariable) is { Length: > 0 } configFile)
    {
        builder.AddKioskConfigFile(configFile, args);
    }

    builder.Services.AddWindowsService(options => options.ServiceName = "KioskAgent");
    builder.Services.AddSystemd();
    builder.AddKioskAgent();
    builder.Services.AddKioskDrivers(RealDrivers.All);
    return builder;
}).ConfigureAwait(false);
