using System.Diagnostics;
using Kiosk.Agent.Outbox;
using Kiosk.Agent.Outbox.Encryption;
using Kiosk.TestSupport;

namespace Kiosk.Bench;

/// <summary>
/// A backlog built while the agent was away (records plus attachments, committed straight into its outbox file),
/// then drained: from the agent host's start to the platform's ack of the last record.
/// </summary>
internal static class DrainBench
{
    /// <param name="Elapsed">Agent host start to the last platform ack (or to the limit).</param>
    /// <param name="Streaming">First platform ack to the last: the delivery rate without the start and connect.</param>
    /// <param name="PlatformLastStored">Agent start to the platform's last store; close to <paramref name="Elapsed"/> means the platform set the pace.</param>
    /// <param name="PlatformGroups">The platform's group commits during the drain and the records they held.</param>
    /// <param name="Baseline">The same messages moved and stored by plain MQTTnet and SQLite (<see cref="RawDrainBaseline"/>), when asked for.</param>
    public sealed record Result(int Records, int Attachments, long AttachmentBytes, TimeSpan BuildTime, TimeSpan Elapsed, TimeSpan Streaming, TimeSpan PlatformLastStored, bool Complete, int Acknowledged, (long Groups, long Records) PlatformGroups, TimeSpan? Baseline);

    public static async Task<Result> RunAsync(string name, int records, int attachments, TimeSpan limit, bool withBaseline = false)
    {
        await using var bed = await Testbed.StartAsync("bench-" + name);
        using var stores = new PlatformStores(bed.Central);
        var dataFolder = bed.Folder.File("agent");
        Directory.CreateDirectory(dataFolder);

        var recordIds = new List<string>(records);
        var building = Stopwatch.GetTimestamp();
        // Committed as the agent commits, sealed with its key, so the drain measures delivery and nothing else.
        using (var outbox = OutboxStore.Open(Path.Combine(dataFolder, "outbox.db"), TimeProvider.System, key: OutboxKey.LoadOrCreate(Path.Combine(dataFolder, "outbox.key"))))
        {
            for (var i = 0; i < records; i++)
            {
                var receipt = await outbox.CommitAsync(Payloads.CheckIn(i, CarriesAttachment(i, records, attachments)), CancellationToken.None);
                recordIds.Add(receipt.RecordId);
            }
        }

        var buildTime = Stopwatch.GetElapsedTime(building);
        // Through the same broker, before the agent starts, so the two never share the machine.
        TimeSpan? baseline = withBaseline ? await RawDrainBaseline.RunAsync(bed.Port, bed.Folder.File("raw"), records, attachments) : null;

        await using var agent = bed.Agent("agent", Overrides(name));
        using var acks = new AckWaiter(agent.Status, records);
        var started = Stopwatch.GetTimestamp();
        foreach (var id in recordIds)
        {
            acks.Expect(id, started);
        }

        var groupsBefore = bed.Central.CommitGroups;
        await agent.StartAsync();
        var complete = await acks.WaitAsync(limit);
        var elapsed = complete ? Stopwatch.GetElapsedTime(started, acks.LastAckAt) : Stopwatch.GetElapsedTime(started);
        var streaming = acks.Acknowledged > 1 ? Stopwatch.GetElapsedTime(acks.FirstAckAt, acks.LastAckAt) : TimeSpan.Zero;
        var platformLastStored = stores.LastStoredAt > started ? Stopwatch.GetElapsedTime(started, stores.LastStoredAt) : TimeSpan.Zero;
        var groups = bed.Central.CommitGroups;
        return new Result(records, attachments, (long)attachments * Payloads.Attachment.Length, buildTime, elapsed, streaming, platformLastStored, complete, acks.Acknowledged,
            (groups.Groups - groupsBefore.Groups, groups.Records - groupsBefore.Records), baseline);
    }

    /// <summary>The bench's agent: its own kiosk id, logging off.</summary>
    internal static Dictionary<string, string?> Overrides(string kioskId) => new()
    {
        ["Kiosk:SiteId"] = "bench",
        ["Kiosk:KioskId"] = kioskId,
        ["Logging:LogLevel:Default"] = "None",
    };

    /// <summary>Spreads <paramref name="attachments"/> evenly over the records: record i carries one when floor(i·a/n) steps.</summary>
    internal static bool CarriesAttachment(int index, int records, int attachments) =>
        (long)(index + 1) * attachments / records != (long)index * attachments / records;
}
