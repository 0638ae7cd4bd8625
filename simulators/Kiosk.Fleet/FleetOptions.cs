namespace Kiosk.Fleet;

/// <summary>What one fleet run does: how many kiosks, how long, which scenarios, and the fleet's sync settings.</summary>
internal sealed record FleetOptions
{
    /// <summary>Kiosks, each with its own outbox, key, MQTT connection and identity. 1..5000.</summary>
    public int Kiosks { get; init; } = 100;

    /// <summary>The scenarios' time, shared between them (FleetSchedule); the final drain comes on top. 0.25..600 minutes.</summary>
    public double Minutes { get; init; } = 3;

    public FleetScenario Scenarios { get; init; } = FleetScenario.All;

    /// <summary>Time between two check-ins of one kiosk (first ones spread over the first period). 0.1 s..1 h.</summary>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of the one attachment of each check-in (random, so compression cannot cheat); 0 for none. At most 8 MiB.</summary>
    public int AttachmentBytes { get; init; } = 150 * 1024;

    /// <summary>Platform instances (central simulators) splitting the kiosk traffic. 1..16.</summary>
    public int Instances { get; init; } = 2;

    /// <summary>How long the platform is away in the outage scenario; null: 2 minutes when the run allows, less otherwise.</summary>
    public TimeSpan? Outage { get; init; }

    /// <summary>The run folder (outboxes, keys, the broker's and platform's files); null: a new folder under the temp folder.</summary>
    public string? Folder { get; init; }

    /// <summary>Bound on the final wait for the backlog to drain before counting.</summary>
    public TimeSpan DrainBound { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Seconds between progress lines on stderr.</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A record not acknowledged after this long is sent again. The agent's 60 s suits one kiosk on a slow uplink; the
    /// fleet's default, 30 s, is fifteen times the steady-state p99 target (2 s): a platform that falls behind must not
    /// be answered with every kiosk sending its whole window again (each resend is another 150 KiB for the platform to
    /// take and drop as a duplicate, which is how an overloaded fleet collapses), yet records in flight to a killed
    /// platform instance come back within half a minute.
    /// </summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reconnect backoff (full jitter): the first retry in [0, base], doubling to [0, max]. 2 s and 15 s: after a broker
    /// restart 1,000 kiosks reach it spread over seconds (a few hundred connects a second at most) instead of all at once,
    /// and none waits longer than 15 s once it is back, which keeps the storm's settle time well under a minute.
    /// </summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Each kiosk's socket buffers and MQTT writer buffer. The agent's 1 MiB is per connection, and MQTTnet allocates the
    /// writer buffer up front: 1,000 kiosks hold a GiB of it before sending anything. 64 KiB: the writer grows for a
    /// 128 KiB chunk and shrinks back after it, and loopback needs no large window.
    /// </summary>
    public int SocketBufferBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// SQLite's soft heap limit for the whole process (sqlite3_soft_heap_limit64), so 2,000 connections (an outbox and a
    /// control store per kiosk) do not each keep SQLite's default page cache of up to 2 MiB; 0 leaves SQLite's default.
    /// </summary>
    public int SqliteHeapBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>The Mosquitto executable.</summary>
    public string Mosquitto { get; init; } = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";

    /// <summary>Seed of the start offsets and attachment bytes; null: a random one (printed in the report).</summary>
    public int? Seed { get; init; }

    /// <summary>Checks every option; returns all problems, each naming its flag.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Kiosks is < 1 or > 5000)
        {
            problems.Add($"--kiosks {Kiosks} is not in 1..5000");
        }

        if (Minutes is < 0.25 or > 600 || double.IsNaN(Minutes))
        {
            problems.Add($"--minutes {Minutes} is not in 0.25..600");
        }

        if (CommitInterval < TimeSpan.FromMilliseconds(100) || CommitInterval > TimeSpan.FromHours(1))
        {
            problems.Add($"--interval-s {CommitInterval.TotalSeconds} is not in 0.1..3600");
        }

        if (AttachmentBytes is < 0 or > 8 * 1024 * 1024)
        {
            problems.Add($"--attachment-kib {AttachmentBytes / 1024} is not in 0..8192");
        }

        if (Instances is < 1 or > 16)
        {
            problems.Add($"--instances {Instances} is not in 1..16");
        }

        if (Outage is { } outage && (outage < TimeSpan.FromSeconds(1) || outage > TimeSpan.FromHours(1)))
        {
            problems.Add($"--outage-s {outage.TotalSeconds} is not in 1..3600");
        }

        if (AckTimeout < TimeSpan.FromSeconds(1) || AckTimeout > TimeSpan.FromMinutes(10))
        {
            problems.Add($"--ack-timeout-s {AckTimeout.TotalSeconds} is not in 1..600");
        }

        if (ReconnectBaseDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectBaseDelay)
        {
            problems.Add("--reconnect-base-s must be positive and not above --reconnect-max-s");
        }

        if (SocketBufferBytes is < 8192 or > 16 * 1024 * 1024)
        {
            problems.Add($"--socket-buffer-kib {SocketBufferBytes / 1024} is not in 8..16384");
        }

        if (SqliteHeapBytes < 0)
        {
            problems.Add("--sqlite-heap-mib must not be negative");
        }

        if (DrainBound < TimeSpan.FromSeconds(1))
        {
            problems.Add("--drain-s must be at least 1");
        }

        return problems;
    }
}

/// <summary>The scenarios a run plays, in this order.</summary>
[Flags]
internal enum FleetScenario
{
    None = 0,
    Steady = 1,
    Storm = 2,
    Outage = 4,
    Kill = 8,
    All = Steady | Storm | Outage | Kill,
}
