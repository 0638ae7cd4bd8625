using System.Diagnostics;
using Kiosk.Agent.Outbox;
using Kiosk.TestSupport;

namespace Kiosk.Bench;

/// <summary>The durable commit of one check-in, <see cref="OutboxStore.CommitAsync"/> against a raw SQLite INSERT.</summary>
internal static class CommitBench
{
    public sealed record Result(Latencies Ours, Latencies Raw);

    /// <summary>
    /// Alternates one outbox commit and one raw insert, so both see the same disk (same folder, same moment);
    /// the warm-up commits are not counted.
    /// </summary>
    public static async Task<Result> RunAsync(int warmup, int count, bool withAttachment)
    {
        using var folder = new TempFolder("kiosk-bench-commit");
        // As the agent runs it: biometric attachments sealed with the outbox key.
        using var outbox = OutboxStore.Open(folder.File("outbox.db"), TimeProvider.System, key: Kiosk.Agent.Outbox.Encryption.OutboxKey.LoadOrCreate(folder.File("outbox.key")));
        using var raw = new RawSqliteTable(folder.File("raw.db"));
        var ours = new Latencies();
        var baseline = new Latencies();
        for (var i = 0; i < warmup + count; i++)
        {
            var record = Payloads.CheckIn(i, withAttachment);

            // The raw insert gets the bytes the outbox stores: the serialised body and the attachment as is.
            // Who goes first alternates, so neither always inherits the other's WAL checkpoint.
            var body = record.Body.ToJsonString();
            TimeSpan oursElapsed, rawElapsed;
            if (i % 2 == 0)
            {
                oursElapsed = await TimeAsync(() => outbox.CommitAsync(record, CancellationToken.None));
                rawElapsed = Time(() => raw.Insert(body, withAttachment ? Payloads.Attachment : null));
            }
            else
            {
                rawElapsed = Time(() => raw.Insert(body, withAttachment ? Payloads.Attachment : null));
                oursElapsed = await TimeAsync(() => outbox.CommitAsync(record, CancellationToken.None));
            }

            if (i >= warmup)
            {
                ours.Add(oursElapsed);
                baseline.Add(rawElapsed);
            }
        }

        return new Result(ours, baseline);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started);
    }

    private static TimeSpan Time(Action action)
    {
        var started = Stopwatch.GetTimestamp();
        action();
        return Stopwatch.GetElapsedTime(started);
    }
}
