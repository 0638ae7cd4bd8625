using System.Text.Json.Nodes;
using Kiosk.Agent.Devices;
using Kiosk.Devices;

namespace Kiosk.Agent.Control.Commands;

/// <summary>
/// <c>cmd/probe</c>: runs every device's health check (external level: it exercises the hardware without a person) and
/// returns one entry per device. A device a check-in is using is reported busy, not interrupted; each check is bounded.
/// </summary>
internal sealed class ProbeCommand(DeviceSet devices, TimeProvider time) : ICommandHandler
{
    public static readonly TimeSpan CheckBound = TimeSpan.FromSeconds(30);

    public string Name => "probe";

    public async Task<CommandResult> RunAsync(CommandRequest request, CancellationToken cancellationToken)
    {
        var entries = new JsonArray();
        var healthy = 0;
        foreach (var device in devices.All)
        {
            var entry = new JsonObject { ["device"] = device.Name, ["class"] = device.DeviceClass.ToString() };
            if (device.ClaimedBy is { } owner)
            {
                entry["status"] = device.Status.ToString();
                entry["health"] = "busy";
                entry["detail"] = "in use by " + owner;
            }
            else
            {
                using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bound.CancelAfter(CheckBound);
                try
                {
                    var report = await device.CheckHealthAsync(HealthCheckLevel.External, bound.Token).WaitAsync(CheckBound, time, cancellationToken).ConfigureAwait(false);
                    entry["status"] = report.Status.ToString();
                    entry["health"] = report.Healthy ? "ok" : "failed";
                    entry["detail"] = report.Description;
                    healthy += report.Healthy ? 1 : 0;
                }
                catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    entry["status"] = device.Status.ToString();
                    entry["health"] = "failed";
                    entry["detail"] = $"no answer within {CheckBound.TotalSeconds:F0} s";
                }
            }

            entries.Add(entry);
        }

        return CommandResult.Done($"{healthy} of {entries.Count} devices healthy", new JsonObject { ["devices"] = entries });
    }
}
