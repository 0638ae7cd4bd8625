namespace Kiosk.Bench;

/// <summary>How much work each benchmark does: the full run (about 3 minutes on 2 cores) or a smoke run (<c>--quick</c>).</summary>
internal sealed record BenchSizes(
    int CommitWarmup,
    int Commits,
    int SyncWarmup,
    int SyncRecords,
    int AttachmentRecords,
    int DrainRecords,
    int DrainAttachments,
    TimeSpan DrainLimit,
    TimeSpan IdleBeforeRss)
{
    /// <summary>150 KiB: a face photograph; the agent sends it as a 128 KiB and a 22 KiB chunk.</summary>
    public const int AttachmentBytes = 150 * 1024;

    /// <summary>The agent's default <c>Kiosk:Sync:MaxInFlightPublishes</c>; the MQTTnet baseline uses the same window.</summary>
    public const int InFlightPublishes = 64;

    public static BenchSizes Full { get; } = new(
        CommitWarmup: 100, Commits: 1000, SyncWarmup: 100, SyncRecords: 3000, AttachmentRecords: 300,
        DrainRecords: 10_000, DrainAttachments: 1_365, DrainLimit: TimeSpan.FromSeconds(120), IdleBeforeRss: TimeSpan.FromSeconds(5));

    public static BenchSizes Quick { get; } = new(
        CommitWarmup: 10, Commits: 60, SyncWarmup: 20, SyncRecords: 300, AttachmentRecords: 40,
        DrainRecords: 1_000, DrainAttachments: 137, DrainLimit: TimeSpan.FromSeconds(60), IdleBeforeRss: TimeSpan.FromSeconds(2));
}
