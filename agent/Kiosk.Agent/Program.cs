using Kiosk.Agent.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddWindowsService(options => options.ServiceName = "KioskAgent");
builder.Services.AddSystemd();
builder.AddKioskAgent();
using var host = builder.Build();
await host.RunAsync().ConfigureAwait(false);
