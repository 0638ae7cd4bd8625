using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Agent.Devices;
using Kiosk.Agent.Hosting;
using Kiosk.Agent.Outbox;
using Microsoft.Extensions.Options;

using Kiosk.Agent.Configuration;

namespace Kiosk.Agent.Sync;

/// <summary>Birth and death payloads of the retained <c>state</c> topic (Sparkplug's idea, our JSON).</summary>
public sealed class BirthMessage(AgentIdentity identity, DeviceSet devices, IOptions<SyncOptions> sync, Kiosk.Agent.Control.ClockChallenge challenge, TimeProvider timeProvider)
{
    /// <summary>The birth of a new connection, with a new clock challenge (<see cref="Kiosk.Agent.Control.ClockChallenge"/>).</summary>
    public byte[] Build()
    {
        var deviceList = new JsonArray();
        foreach (var device in devices.All)
        {
            deviceList.Add(new JsonObject
            {
                ["name"] = device.Name,
                ["class"] = device.DeviceClass.ToString(),
                ["status"] = JsonNamingPolicy.CamelCase.ConvertName(device.Status.ToString()),
                ["model"] = Kiosk.Devices.Redact.Credentials(device.Capabilities.Model),
            });
        }

        var birth = new JsonObject
        {
            ["online"] = true,
            ["bootId"] = identity.BootId,
            ["agentVersion"] = AgentIdentity.AgentVersion,
            ["at"] = OutboxTime.Format(timeProvider.GetUtcNow()),
            ["capabilities"] = new JsonObject { ["protocol"] = 1, ["maxChunkBytes"] = sync.Value.ChunkBytes },
            ["devices"] = deviceList,
            ["challenge"] = challenge.Renew(),
        };
        return JsonSerializer.SerializeToUtf8Bytes(birth);
    }

    public byte[] BuildDeath(string? reason)
    {
        var death = new JsonObject { ["online"] = false, ["bootId"] = identity.BootId };
        if (reason is not null)
        {
            death["at"] = OutboxTime.Format(timeProvider.GetUtcNow());
            death["reason"] = reason;
        }

        return JsonSerializer.SerializeToUtf8Bytes(death);
    }
}
