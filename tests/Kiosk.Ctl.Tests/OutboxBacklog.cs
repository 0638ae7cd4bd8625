using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;

namespace Kiosk.Ctl.Tests;

/// <summary>An outbox with something waiting, committed by the agent's own store, for the queue commands to read.</summary>
internal static class OutboxBacklog
{
    /// <summary>One check-in with an attachment ("scan", image/png) in <paramref name="dataFolder"/>/outbox.db; its record id.</summary>
    public static async Task<string> CommitAsync(string dataFolder)
    {
        Directory.CreateDirectory(dataFolder);
        using var outbox = OutboxStore.Open(Path.Combine(dataFolder, "outbox.db"), TimeProvider.System, key: OutboxKey.LoadOrCreate(Path.Combine(dataFolder, "outbox.key")));
        var checkIn = new NewRecord(RecordKind.CheckIn, new JsonObject { ["n"] = 1 })
        {
            Attachments = [NewAttachment.FromBytes("scan", "image/png", RandomNumberGenerator.GetBytes(1_000), biometric: false)],
        };
        return (await outbox.CommitAsync(checkIn, CancellationToken.None)).RecordId;
    }
}
