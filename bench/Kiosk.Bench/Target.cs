namespace Kiosk.Bench;

/// <summary>A goal for one JSON figure: at most or at least <paramref name="Limit"/>.</summary>
internal sealed record Target(string Key, bool AtMost, double Limit)
{
    public static IReadOnlyList<Target> All { get; } =
    [
        new("commit_p99_ms", AtMost: true, 20),
        new("commit_attachment_p99_ms", AtMost: true, 60),
        new("sync_ratio_vs_mqttnet", AtMost: false, 0.5),
        new("attachment_ratio_vs_mqttnet", AtMost: false, 0.8),
        new("drain_s", AtMost: true, 5),
        new("idle_rss_mb", AtMost: true, 80),
        new("ready_ms", AtMost: true, 1500),
        new("face_ms_per_frame", AtMost: true, 30),
        new("face_challenge_ms_per_frame", AtMost: true, 30),
        new("face_ratio_vs_raw_detector", AtMost: true, 1.5),
    ];

    public string Description => (AtMost ? "<= " : ">= ") + Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public bool IsMetBy(double value) => AtMost ? value <= Limit : value >= Limit;
}
