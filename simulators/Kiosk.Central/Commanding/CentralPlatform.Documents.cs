using System.Text.Json;
using System.Text.Json.Nodes;
using Kiosk.Central.Commanding;

namespace Kiosk.Central;

/// <summary>
/// Pushing a kiosk's documents (docs/mqtt-contract.md, "cmd/roster"): a roster, whole or in parts, and a session policy. Each
/// goes as a command (sent now and again at each birth of the kiosk until it answers) and is waited for, in order.
/// </summary>
public sealed partial class CentralPlatform
{
    /// <summary>Sends command <paramref name="name"/> and waits for the kiosk's result.</summary>
    public async Task<CommandResultView> PushAsync(string siteId, string kioskId, string name, JsonObject body, CancellationToken ct)
    {
        var commandId = await SendCommandAsync(siteId, kioskId, name, body, ct);
        return await WaitForCommandResultAsync(commandId, ct);
    }

    /// <summary>
    /// Sends <paramref name="people"/> (each a <c>cmd/roster</c> person object) as roster <paramref name="version"/>: one
    /// full roster when its body fits <paramref name="maxBodyBytes"/>, else a full roster of the first people that fit and
    /// deltas adding the rest (versions <paramref name="version"/>, +1, ...), each sent once the previous one is done, so a
    /// kiosk's MQTT packet limit is respected. Stops at the first result that is not done; returns every result.
    /// </summary>
    public async Task<IReadOnlyList<CommandResultView>> PushRosterAsync(string siteId, string kioskId, IReadOnlyList<JsonObject> people, long version, int maxBodyBytes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(people);
        var results = new List<CommandResultView>();
        var parts = new List<List<JsonObject>> { new() };
        var size = 0L;
        foreach (var person in people)
        {
            var personSize = JsonSerializer.SerializeToUtf8Bytes(person).Length + 1L;
            if (parts[^1].Count > 0 && size + personSize > maxBodyBytes - 512)
            {
                parts.Add([]);
                size = 0;
            }

            parts[^1].Add(person);
            size += personSize;
        }

        for (var i = 0; i < parts.Count; i++)
        {
            var array = new JsonArray([.. parts[i].Select(p => p.DeepClone())]);
            var body = i == 0
                ? new JsonObject { ["mode"] = "full", ["version"] = version, ["people"] = array }
                : new JsonObject { ["mode"] = "delta", ["version"] = version + i, ["baseVersion"] = version + i - 1, ["people"] = array };
            var result = await PushAsync(siteId, kioskId, "roster", body, ct);
            results.Add(result);
            if (result.Status != "done")
            {
                break;
            }
        }

        return results;
    }
}
