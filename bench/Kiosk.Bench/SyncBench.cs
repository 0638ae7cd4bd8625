using System.Diagnostics;
using Kiosk.TestSupport;

namespace Kiosk.Bench;

/// <summary>
/// Records from commit to platform ack through a real broker, against plain MQTTnet QoS 1 publishing of the same
/// bytes to the same broker (fire and PUBACK: no durable commit, no platform, no ack).
/// </summary>
internal static class SyncBench
{
    /// <param name="Elapsed">First commit to last platform ack.</param>
    /// <param name="Committing">First commit to last commit returned (the outbox's share of <paramref name="Elapsed"/>).</param>
    /// <param name="Baseline">First baseline publish to its last PUBACK.</param>
    public sealed record Result(int Records, long PayloadBytes, TimeSpan Elapsed, TimeSpan Committing, Latencies CommitToAck, bool Complete, int Acknowledged, TimeSpan Baseline, long BaselineBytes);

    public static async Task<Result> RunAsync(string name, int warmup, int count, bool withAttachment)
    {
        await using var bed = await Testbed.StartAsync("bench-" + name);

        // Baseline first, on the same broker: one QoS 1 message per record (or per attachment), 32 awaiting PUBACK.
        var baselinePayloads = withAttachment
            ? Enumerable.Repeat(Payloads.Attachment, count).ToList()
            : Enumerable.Range(0, count).Select(Payloads.RecordMessage).ToList();
        TimeSpan baseline;
        await using (var raw = await RawMqttPublisher.ConnectAsync(bed.Port))
        {
            await raw.PublishAllAsync(baselinePayloads.Take(Math.Max(warmup, BenchSizes.InFlightPublishes)).ToList(), BenchSizes.InFlightPublishes);
            baseline = await raw.PublishAllAsync(baselinePayloads, BenchSizes.InFlightPublishes);
        }

        await using var agent = bed.Agent("agent", DrainBench.Overrides(name));
        await agent.StartAsync();

        // Warm-up: connects, JITs the publish and ack paths of the agent and the platform.
        await CommitAllAsync(agent, 0, warmup, withAttachment, TimeSpan.FromSeconds(60));
        var measured = await CommitAllAsync(agent, warmup, count, withAttachment, TimeSpan.FromSeconds(180));
        var payloadBytes = withAttachment ? (long)count * Payloads.Attachment.Length : (long)count * Payloads.BodyBytes;
        return measured with { PayloadBytes = payloadBytes, Baseline = baseline, BaselineBytes = baselinePayloads.Sum(p => (long)p.Length) };
    }

    private static async Task<Result> CommitAllAsync(TestAgent agent, int first, int count, bool withAttachment, TimeSpan limit)
    {
        using var acks = new AckWaiter(agent.Status, count);
        var started = Stopwatch.GetTimestamp();
        for (var i = first; i < first + count; i++)
        {
            var receipt = await agent.CommitAsync(Payloads.CheckIn(i, withAttachment));
            acks.Expect(receipt.RecordId, Stopwatch.GetTimestamp());
        }

        var committing = Stopwatch.GetElapsedTime(started);
        var complete = await acks.WaitAsync(limit);
        var elapsed = complete ? Stopwatch.GetElapsedTime(started, acks.LastAckAt) : Stopwatch.GetElapsedTime(started);
        return new Result(count, 0, elapsed, committing, acks.CommitToAck, complete, acks.Acknowledged, TimeSpan.Zero, 0);
    }
}
