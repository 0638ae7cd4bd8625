using Kiosk.Devices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kiosk.Agent.Devices;

/// <summary>Opens every device at start. A device that fails to open is reported and left for a later retry; the agent still starts.</summary>
internal sealed partial class DeviceStartup(DeviceSet devices, ILogger<DeviceStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var device in devices.All)
        {
            var opened = await device.OpenAsync(cancellationToken).ConfigureAwait(false);
            // A device's model and errors may carry the URL it was configured with; its credentials never reach the log.
            // Once per device at start: the redaction costs nothing worth guarding.
#pragma warning disable CA1873
            if (opened.IsSuccess)
            {
                LogOpened(logger, device.Name, Redact.Credentials(device.Capabilities.Model));
            }
            else
            {
                LogOpenFailed(logger, device.Name, opened.Code.ToString(), Redact.Credentials(opened.Description));
            }
#pragma warning restore CA1873
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await devices.DisposeAsync().ConfigureAwait(false);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Device {Device} online ({Model})")]
    private static partial void LogOpened(ILogger logger, string device, string model);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Device {Device} did not open: {Code} {Description}")]
    private static partial void LogOpenFailed(ILogger logger, string device, string code, string description);
}
